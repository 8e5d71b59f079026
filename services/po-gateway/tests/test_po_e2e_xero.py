"""End to end: plan rows → draft → approve and send → connector-xero → Xero sandbox →
result → Sent, with a double click and a connection that drops after Xero stored the PO:
one PO at Xero and one Sent record here."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from po_support import Scenario, auth, client, eventually, running
from po_xero_support import connect_xero, xero_connector

from platform_kit.testing.servers import serve_app
from xero_sandbox.testing import fast_config, running_sandbox

pytestmark = pytest.mark.asyncio
BASE = "/v1/purchase-orders"


async def test_plan_to_xero_exactly_once(
    pg_url: str, kafka_bootstrap: str, keys_dir: Path, mint_token: Any, unique_name: str
) -> None:
    tenant = uuid.uuid4()
    admin = mint_token(tenant, ["admin"], user_id="ada")
    with running_sandbox(fast_config()) as sb:
        org = sb.sandbox.orgs[sb.tenant_ids[0]]
        supplier = next(c for c in org.collections["Contacts"].values() if c.get("IsSupplier"))
        items = [i for i in org.collections["Items"].values() if i.get("IsTrackedAsInventory")][:2]
        location = sb.tenant_ids[0]
        scenario = Scenario(
            plan=[(i["ItemID"], supplier["ContactID"], location, 0, 2.0) for i in items],
            suppliers=[(supplier["ContactID"], "NZD")],
            tenant={
                "name": "Kiwi",
                "time_zone": "Pacific/Auckland",
                "base_currency": "NZD",
                "primary_source": "xero",
            },
            codes={i["ItemID"]: i["Code"] for i in items},
        )
        connector = xero_connector(sb, pg_url, kafka_bootstrap, keys_dir, f"{unique_name}_cx")
        async with (
            serve_app(connector) as cx_url,
            client(cx_url) as cx,
            running(pg_url, kafka_bootstrap, keys_dir, unique_name, tenant, admin, scenario) as (
                _app,
                http,
                _bus,
            ),
        ):
            await connect_xero(cx, admin, sb)
            made = await http.post(f"{BASE}/drafts", json={}, headers=auth(admin))
            assert made.status_code == 201, made.text
            (draft,) = made.json()["drafts"]
            assert draft["provider_status"] == "DRAFT" and draft["currency"] == "NZD"
            url = f"{BASE}/{draft['draft_id']}"
            etag = (await http.get(url, headers=auth(admin))).headers["etag"]
            approved = await http.post(f"{url}/approve", headers=auth(admin, **{"If-Match": etag}))
            assert approved.status_code == 200

            await asyncio.to_thread(
                sb.admin,
                "POST",
                "/faults",
                {"timeout_after_po_create": 1, "timeout_hang_seconds": 0.2},
            )

            async def double_click() -> list[httpx.Response]:
                return list(
                    await asyncio.gather(
                        *[http.post(f"{url}/send", headers=auth(admin)) for _ in range(2)]
                    )
                )

            clicks = await eventually(
                double_click,
                lambda rs: (
                    any(r.status_code == 200 for r in rs)
                    or any(r.json().get("current_status") == "sending" for r in rs)
                ),
            )
            assert sorted(r.status_code for r in clicks) == [200, 409], [r.text for r in clicks]

            async def probe() -> Any:
                return (await http.get(url, headers=auth(admin))).json()

            sent = await eventually(probe, lambda b: b["status"] == "sent", timeout_s=60)
            listed = (await asyncio.to_thread(sb.admin, "GET", "/purchase-orders"))[
                "PurchaseOrders"
            ]
            at_xero = [p for p in listed if p["PurchaseOrderNumber"] == draft["order_number"]]
            assert len(at_xero) == 1
            assert sent["provider_po_id"] == at_xero[0]["PurchaseOrderID"]
            assert sent["provider_po_number"] == draft["order_number"]
            assert at_xero[0]["Status"] == "DRAFT"
            assert {li["ItemCode"] for li in at_xero[0]["LineItems"]} == {i["Code"] for i in items}
            audit = (await http.get(f"{url}/audit", headers=auth(admin))).json()
            submitted = [a for a in audit if a["action"] == "submitted"]
            assert len(submitted) == 1 and submitted[0]["details"]["found_existing"] is True
            history = (await http.get(f"{BASE}/sent", headers=auth(admin))).json()
            assert [o["draft_id"] for o in history["items"]] == [draft["draft_id"]]
            assert (await http.get(BASE, headers=auth(admin))).json()["total"] == 0
