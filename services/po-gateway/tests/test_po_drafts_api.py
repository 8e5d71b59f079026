"""Drafts from the served planner's purchase rows, edits with ETags, lines, delete, roles."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from po_support import RUN, auth, eventually, running

from platform_kit.tenancy import purge_tenant
from restock_contracts.purchasing.v1 import PurchaseOrderLineRecord, PurchaseOrderLinesChanged
from restock_contracts.topics import PURCHASE_ORDERS

pytestmark = pytest.mark.asyncio
BASE = "/v1/purchase-orders"
AT = datetime(2026, 5, 20, tzinfo=UTC)


def _provider_po_line() -> PurchaseOrderLinesChanged:
    """A USD purchase order seen at the provider: its FX rate becomes the default."""
    line = PurchaseOrderLineRecord(
        po_id="po-9",
        line_id="l-9",
        supplier_id="s2",
        location_id="wh",
        variant_id="v4",
        quantity_ordered=Decimal(1),
        quantity_received=Decimal(0),
        quantity_remaining=Decimal(1),
        currency="USD",
        fx_rate_to_base=Decimal("0.9"),
        order_date=AT,
        raw_status="NOT_RECEIVED",
        status="open",
        updated_at=AT,
    )
    return PurchaseOrderLinesChanged(
        source="katana",
        connection_id=RUN,
        sync_id=None,
        mode="webhook",
        batch_seq=1,
        records=[line],
    )


async def test_drafts_from_plan_and_editing(
    pg_url: str, kafka_bootstrap: str, keys_dir: Path, mint_token: Any, unique_name: str
) -> None:
    tenant = uuid.uuid4()
    planner = mint_token(tenant, ["planner"], user_id="pat")
    viewer = mint_token(tenant, ["viewer"])
    async with running(pg_url, kafka_bootstrap, keys_dir, unique_name, tenant, planner) as (
        app,
        http,
        bus,
    ):
        denied = await http.post(f"{BASE}/drafts", json={}, headers=auth(viewer))
        assert denied.status_code == 403
        assert denied.headers["content-type"].startswith("application/problem+json")

        first = await http.post(
            f"{BASE}/drafts", json={}, headers=auth(planner, **{"Idempotency-Key": "k1"})
        )
        assert first.status_code == 201, first.text
        body = first.json()
        assert body["missing_fx"] == ["USD"]
        assert [r["variant_id"] for r in body["without_supplier"]] == ["v3"]
        groups = {(d["supplier_id"], d["location_id"]): d for d in body["drafts"]}
        assert set(groups) == {("s1", "shop"), ("s1", "wh")}
        wh = groups[("s1", "wh")]
        assert [x["variant_id"] for x in wh["lines"]] == ["v1", "v2"]
        line = wh["lines"][0]
        assert line["purchase_uom"] == "box" and float(line["purchase_uom_factor"]) == 10
        assert float(line["unit_price"]) == 20.0, "2 EUR per piece × 10 per box"
        assert line["plan_version"] >= 1 and wh["plan_version"] == line["plan_version"]
        assert wh["expected_arrival"] == "2026-06-22" and wh["currency"] == "EUR"
        assert wh["status"] == "draft" and wh["created_by"] == "pat"
        assert wh["order_number"].startswith("RS-")

        again = await http.post(
            f"{BASE}/drafts", json={}, headers=auth(planner, **{"Idempotency-Key": "k1"})
        )
        assert again.status_code == 201 and again.json() == body
        reused = await http.post(
            f"{BASE}/drafts",
            json={"supplier_id": "s1"},
            headers=auth(planner, **{"Idempotency-Key": "k1"}),
        )
        assert reused.status_code == 422

        usd = await http.post(
            f"{BASE}/drafts",
            json={
                "lines": [
                    {"variant_id": "v4", "location_id": "wh"},
                    {"variant_id": "nope", "location_id": "wh"},
                ],
                "fx_rates": {"USD": "0.8"},
            },
            headers=auth(planner),
        )
        assert usd.status_code == 201, usd.text
        (usd_draft,) = usd.json()["drafts"]
        assert usd.json()["not_in_plan"] == [{"variant_id": "nope", "location_id": "wh"}]
        assert usd_draft["fx_source"] == "user" and float(usd_draft["fx_rate_to_base"]) == 0.8
        assert float(usd_draft["lines"][0]["unit_price"]) == 25.0

        listed = (await http.get(BASE, headers=auth(viewer))).json()
        assert listed["total"] == 3
        by_supplier = await http.get(BASE, params={"supplier_id": "s2"}, headers=auth(viewer))
        assert by_supplier.json()["total"] == 1

        url = f"{BASE}/{wh['draft_id']}"
        got = await http.get(url, headers=auth(viewer))
        etag = got.headers["etag"]
        assert (
            await http.patch(url, json={"notes": "x"}, headers=auth(planner))
        ).status_code == 428
        assert (
            await http.patch(url, json={"notes": "x"}, headers=auth(viewer, **{"If-Match": etag}))
        ).status_code == 403
        bad = await http.patch(
            url,
            json={"expected_arrival": "2026-05-01"},
            headers=auth(planner, **{"If-Match": etag}),
        )
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "expected_arrival"
        ok = await http.patch(
            url,
            json={"expected_arrival": "2026-07-01", "notes": "rush"},
            headers=auth(planner, **{"If-Match": etag}),
        )
        assert ok.status_code == 200 and ok.json()["notes"] == "rush"
        assert ok.headers["etag"] != etag
        stale = await http.patch(
            url, json={"notes": "lost"}, headers=auth(planner, **{"If-Match": etag})
        )
        assert stale.status_code == 412
        etag = ok.headers["etag"]

        line_url = f"{url}/lines/{line['line_id']}"
        zero = await http.patch(
            line_url, json={"quantity": "0"}, headers=auth(planner, **{"If-Match": etag})
        )
        assert zero.status_code == 422 and zero.json()["errors"][0]["field"] == "quantity"
        edited = await http.patch(
            line_url,
            json={"quantity": "7", "unit_price": "19.5"},
            headers=auth(planner, **{"If-Match": etag}),
        )
        assert edited.status_code == 200
        assert float(edited.json()["lines"][0]["quantity"]) == 7
        etag = edited.headers["etag"]
        added = await http.post(
            f"{url}/lines",
            json={"variant_id": "v9", "sku": "SKU-v9", "quantity": "3", "unit_price": "1"},
            headers=auth(planner, **{"If-Match": etag, "Idempotency-Key": "add-1"}),
        )
        assert added.status_code == 201 and len(added.json()["lines"]) == 3
        replay = await http.post(
            f"{url}/lines",
            json={"variant_id": "v9", "sku": "SKU-v9", "quantity": "3", "unit_price": "1"},
            headers=auth(planner, **{"If-Match": etag, "Idempotency-Key": "add-1"}),
        )
        assert replay.status_code == 201 and replay.json() == added.json()
        etag = added.headers["etag"]
        dup = await http.post(
            f"{url}/lines",
            json={"variant_id": "v9", "quantity": "1", "unit_price": "1"},
            headers=auth(planner, **{"If-Match": etag}),
        )
        assert dup.status_code == 422
        removed = await http.delete(line_url, headers=auth(planner, **{"If-Match": etag}))
        assert removed.status_code == 200
        assert [x["variant_id"] for x in removed.json()["lines"]] == ["v2", "v9"]

        audit = (await http.get(f"{url}/audit", headers=auth(viewer))).json()
        assert [a["action"] for a in audit] == [
            "created",
            "edited",
            "line_edited",
            "line_added",
            "line_removed",
        ]
        assert {a["actor"] for a in audit} == {"pat"}

        shop = groups[("s1", "shop")]
        shop_url = f"{BASE}/{shop['draft_id']}"
        etag_shop = (await http.get(shop_url, headers=auth(viewer))).headers["etag"]
        assert (
            await http.delete(shop_url, headers=auth(planner, **{"If-Match": etag_shop}))
        ).status_code == 204
        assert (await http.get(shop_url, headers=auth(viewer))).status_code == 404
        kept = (await http.get(f"{shop_url}/audit", headers=auth(viewer))).json()
        assert [(a["action"], a["actor"]) for a in kept] == [("created", "pat"), ("deleted", "pat")]
        assert (
            await http.get(f"{BASE}/{uuid.uuid4()}/audit", headers=auth(viewer))
        ).status_code == 404

        await bus.publish(
            PURCHASE_ORDERS,
            PURCHASE_ORDERS.envelope(
                _provider_po_line(), tenant_id=tenant, producer="connector-test"
            ),
        )

        async def draft_s2() -> Any:
            return await http.post(
                f"{BASE}/drafts", json={"supplier_id": "s2"}, headers=auth(planner)
            )

        learned = await eventually(draft_s2, lambda r: r.status_code == 201 and r.json()["drafts"])
        (s2,) = learned.json()["drafts"]
        assert (s2["fx_source"], float(s2["fx_rate_to_base"])) == ("provider", 0.9)

        other = mint_token(uuid.uuid4(), ["admin"])
        assert (await http.get(url, headers=auth(other))).status_code == 404
        assert (await http.get(BASE, headers=auth(other))).json()["total"] == 0
        assert (await http.get(BASE)).status_code == 401

        async with app.state.runtime.uow() as uow:
            counts = await purge_tenant(uow, tenant)
            await uow.commit()
        assert counts["po_draft"] == 3 and counts["po_line"] >= 3 and counts["fx_rate"] == 1
        assert (await http.get(BASE, headers=auth(viewer))).json()["total"] == 0
