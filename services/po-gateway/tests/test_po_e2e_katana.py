"""End to end with Katana: sandbox → connector-katana full load → planner (on the broker)
→ draft of two picked items → edit → approve → send (double click, and Katana's answer
to the create is dropped after it stored the PO) → one PO at Katana
with the right lines, purchase UoM and supplier currency → the plan counts it on order at
once → the next incremental sync brings it and it is matched, not counted twice."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from po_katana_support import (
    connect_and_load,
    gateway_app,
    katana,
    katana_app,
    katana_settings,
    load,
    pick,
    plan_row,
    planner_app,
    publish_tenant_and_forecasts,
)
from po_support import auth, client, eventually
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from platform_kit.testing.servers import serve_app

pytestmark = pytest.mark.asyncio
BASE = "/v1/purchase-orders"


async def test_plan_to_katana_on_order_and_matched(
    pg_url: str, kafka_bootstrap: str, keys_dir: Path, mint_token: Any, unique_name: str
) -> None:
    tenant = uuid.uuid4()
    admin = mint_token(tenant, ["admin"], user_id="ada")
    planner_token = mint_token(tenant, ["planner"], user_id="pat")
    approver = mint_token(tenant, ["approver"], user_id="alice")
    args = (pg_url, kafka_bootstrap, keys_dir)
    with katana() as sb:
        chosen = pick(sb)
        settings = katana_settings(sb, *args, f"{unique_name}_ck")
        connector = katana_app(settings)
        planner = planner_app(*args, f"{unique_name}_pl")
        async with (
            serve_app(connector) as cx_url,
            serve_app(planner) as pl_url,
            client(cx_url) as cx,
            client(pl_url) as pl,
        ):
            gateway = gateway_app(*args, f"{unique_name}_po", pl_url)
            async with serve_app(gateway) as po_url, client(po_url) as http:
                today = datetime.now(UTC).date()
                await publish_tenant_and_forecasts(kafka_bootstrap, tenant, chosen, today)
                connection_id = await connect_and_load(cx, admin)

                async def rows() -> Any:
                    got = await pl.get("/v1/plan/purchase-rows", headers=auth(admin))
                    return got.json() if got.status_code == 200 else {"items": []}

                plan = await eventually(
                    rows,
                    lambda b: set(chosen.variants) <= {r["variant_id"] for r in b["items"]},
                    timeout_s=90,
                )
                before = {
                    v: await plan_row(pl, admin, v, chosen.location_id) for v in chosen.variants
                }

                lines = [
                    {"variant_id": v, "location_id": chosen.location_id} for v in chosen.variants
                ]
                made = await http.post(
                    f"{BASE}/drafts",
                    json={"lines": lines, "fx_rates": {chosen.currency: "1.8"}},
                    headers=auth(planner_token),
                )
                assert made.status_code == 201, made.text
                (draft,) = made.json()["drafts"]
                assert (draft["supplier_id"], draft["currency"]) == (
                    chosen.supplier_id,
                    chosen.currency,
                )
                assert Decimal(draft["fx_rate_to_base"]) == Decimal("1.8")
                assert draft["plan_version"] == plan["plan_version"]
                url = f"{BASE}/{draft['draft_id']}"

                got = await http.get(url, headers=auth(planner_token))
                packed = next(
                    x for x in got.json()["lines"] if Decimal(x["purchase_uom_factor"]) != 1
                )
                edited = await http.patch(
                    f"{url}/lines/{packed['line_id']}",
                    json={"quantity": "3"},
                    headers=auth(planner_token, **{"If-Match": got.headers["etag"]}),
                )
                assert edited.status_code == 200, edited.text
                noted = await http.patch(
                    url,
                    json={"notes": "e2e: please confirm"},
                    headers=auth(planner_token, **{"If-Match": edited.headers["etag"]}),
                )
                assert noted.status_code == 200, noted.text
                approved = await http.post(
                    f"{url}/approve", headers=auth(approver, **{"If-Match": noted.headers["etag"]})
                )
                assert approved.status_code == 200, approved.text
                order = approved.json()

                sb.set_faults(po_create_mode="drop", po_create_count=1)

                async def double_click() -> list[httpx.Response]:
                    return list(
                        await asyncio.gather(
                            *[http.post(f"{url}/send", headers=auth(approver)) for _ in range(2)]
                        )
                    )

                clicks = await eventually(
                    double_click,
                    lambda rs: any(
                        r.status_code != 409 or r.json().get("current_status") == "sending"
                        for r in rs
                    ),
                )
                assert sorted(r.status_code for r in clicks) == [200, 409], [r.text for r in clicks]

                async def probe() -> Any:
                    return (await http.get(url, headers=auth(approver))).json()

                sent = await eventually(probe, lambda b: b["status"] == "sent", timeout_s=60)

                with sb.client() as kc:
                    listed = kc.get(
                        "/purchase_orders", params={"order_no": draft["order_number"], "limit": 250}
                    ).json()["data"]
                at_katana = [p for p in listed if p["order_no"] == draft["order_number"]]
                assert len(at_katana) == 1, listed
                po = at_katana[0]
                assert str(po["id"]) == sent["provider_po_id"]
                assert sent["provider_po_number"] == draft["order_number"]
                assert (po["currency"], str(po["supplier_id"]), str(po["location_id"])) == (
                    chosen.currency,
                    chosen.supplier_id,
                    chosen.location_id,
                )
                assert po["status"] == "NOT_RECEIVED"
                assert po["additional_info"] == "e2e: please confirm"
                want = {
                    x["variant_id"]: (
                        Decimal(x["quantity"]),
                        Decimal(x["unit_price"]),
                        Decimal(x["purchase_uom_factor"]),
                    )
                    for x in order["lines"]
                }
                got_rows = {
                    str(r["variant_id"]): (
                        Decimal(str(r["quantity"])),
                        Decimal(str(r["price_per_unit"])),
                        Decimal(str(r["purchase_uom_conversion_rate"])),
                    )
                    for r in po["purchase_order_rows"]
                }
                assert got_rows == want
                assert want[packed["variant_id"]][0] == 3

                stock_units = {v: float(q * f) for v, (q, _p, f) in want.items()}

                async def provisional() -> Any:
                    return {
                        v: await plan_row(pl, admin, v, chosen.location_id) for v in chosen.variants
                    }

                on_order = await eventually(
                    provisional,
                    lambda r: all(r[v]["provisional_on_order"] == stock_units[v] for v in r),
                    timeout_s=60,
                )
                for v, row in on_order.items():
                    assert row["on_order"] == before[v]["on_order"] + stock_units[v]

                job = await load(cx, admin, connection_id, ["purchase_orders"])
                assert job["status"] == "succeeded"
                matched = await eventually(
                    provisional,
                    lambda r: all(not r[v]["provisional_on_order"] for v in r),
                    timeout_s=60,
                )
                for v, row in matched.items():
                    assert row["on_order"] == before[v]["on_order"] + stock_units[v], (
                        "not double counted"
                    )

                history = (await http.get(f"{BASE}/sent", headers=auth(admin))).json()
                assert [o["draft_id"] for o in history["items"]] == [draft["draft_id"]]
                assert history["items"][0]["provider_po_id"] == str(po["id"])
                assert (await http.get(BASE, headers=auth(admin))).json()["total"] == 0
                audit = (await http.get(f"{url}/audit", headers=auth(admin))).json()
                trail = [(a["action"], a["actor"]) for a in audit]
                assert trail[0] == ("created", "pat") and ("approved", "alice") in trail
                assert ("sent", "alice") in trail and ("submitted", "connector-katana") in trail
                assert sum(a == "submitted" for a, _ in trail) == 1
                engine = create_async_engine(settings.service_database_url())
                async with engine.connect() as conn:
                    log = (
                        await conn.execute(
                            text("select action, result from po_attempt_log order by id")
                        )
                    ).all()
                await engine.dispose()
                steps = [(a, r.split(":")[0]) for a, r in log]
                assert steps == [
                    ("post", "sending"),
                    ("post", "no answer"),
                    ("lookup", "found"),
                ], "the answer was dropped after Katana stored the PO; one POST in all"
