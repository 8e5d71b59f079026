"""Incremental loads after changes and deletions, and refresh with safe deletions."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from ck_support import Api, connector, outbox

pytestmark = pytest.mark.asyncio


def records(rows: list[dict[str, Any]], job_id: str, event_type: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for row in rows:
        payload = row["envelope"]["payload"]
        if row["event_type"] == event_type and payload.get("sync_id") == job_id:
            out += payload["records"]
    return out


async def test_incremental_brings_changes_and_deletions_only(
    sandbox: Any, make_settings: Any, mint_token: Any, tenant: uuid.UUID
) -> None:
    settings = make_settings(sandbox)
    with sandbox.client() as kc:
        products = kc.get("/products", params={"limit": 250}).json()["data"]
        orders = kc.get("/sales_orders", params={"limit": 5}).json()["data"]
    renamed = next(p for p in products if p["variants"])
    doomed_variant = next(p for p in products if p["id"] != renamed["id"] and p["variants"])
    doomed_variant = doomed_variant["variants"][0]
    doomed_order = orders[0]
    broken = next(
        p
        for p in products
        if p["variants"] and p["id"] not in (renamed["id"], doomed_variant["product_id"])
    )
    async with connector(settings) as (base, _app):
        api = Api(base, mint_token(tenant))
        conn = await api.connect()
        first = await api.wait_job((await api.load(conn["connection_id"]))["job_id"])
        assert first["status"] == "succeeded", first
        sandbox.mutate("PATCH", "products", renamed["id"], {"name": "Renamed Thing"})
        sandbox.mutate("DELETE", "variants", doomed_variant["id"])
        sandbox.mutate("DELETE", "sales_orders", doomed_order["id"])
        sandbox.mutate("PATCH", "products", broken["id"], {"name": None, "is_sellable": "yes"})
        created = sandbox.mutate("POST", "products", data={"name": "Brand New", "sku": "NEW-1"})
        sandbox.reset_stats()
        second = await api.wait_job((await api.load(conn["connection_id"]))["job_id"])
        assert second["status"] == "succeeded", second
        skipped = [r for r in second["skipped_records"] if r["entity"] == "products"]
        assert [r["id"] for r in skipped] == [str(broken["id"])]
        assert "missing field 'name'" in skipped[0]["reason"]
        assert {p["entity"]: p["skipped"] for p in second["progress"]}["products"] == 1
        requests_second = sandbox.stats()["total_requests"]
        third = await api.wait_job((await api.load(conn["connection_id"]))["job_id"])
        await api.close()
    rows = await outbox(settings)
    skus = records(rows, second["job_id"], "catalog.skus_changed")
    by_variant = {s["variant_id"]: s for s in skus}
    for variant in renamed["variants"]:
        assert by_variant[str(variant["id"])]["name"].startswith("Renamed Thing")
        assert by_variant[str(variant["id"])]["deleted"] is False
    assert by_variant[str(doomed_variant["id"])]["deleted"] is True
    new_ids = {str(v["id"]) for v in created["variants"]}
    assert new_ids <= set(by_variant)
    expected = {str(v["id"]) for v in renamed["variants"]} | {str(doomed_variant["id"])} | new_ids
    assert set(by_variant) == expected, "unchanged SKUs must not be republished"
    lines = records(rows, second["job_id"], "sales.lines_changed")
    gone = {str(r["id"]) for r in doomed_order["sales_order_rows"]}
    assert {line["line_id"] for line in lines if line["deleted"]} == gone
    assert records(rows, second["job_id"], "catalog.suppliers_changed") == []
    assert requests_second < 40, "an incremental load reads only what changed"
    for event_type in (
        "catalog.skus_changed",
        "sales.lines_changed",
        "inventory.stock_levels_changed",
    ):
        assert records(rows, third["job_id"], event_type) == [], event_type
    markers = [
        r["envelope"]["payload"]
        for r in rows
        if r["event_type"] == "connectors.stream_completed"
        and r["envelope"]["payload"]["sync_id"] == third["job_id"]
    ]
    assert len(markers) == 8 and all(m["batch_count"] == 0 for m in markers)


async def test_refresh_publishes_deletions_for_vanished_records(
    sandbox: Any, make_settings: Any, mint_token: Any, tenant: uuid.UUID
) -> None:
    settings = make_settings(sandbox)
    with sandbox.client() as kc:
        products = kc.get("/products", params={"limit": 250}).json()["data"]
        materials = kc.get("/materials", params={"limit": 250}).json()["data"]
    victim = next(p for p in products if p["variants"])
    async with connector(settings) as (base, _app):
        api = Api(base, mint_token(tenant))
        conn = await api.connect()
        await api.wait_job((await api.load(conn["connection_id"], entities=["products"]))["job_id"])
        sandbox.mutate("DELETE", "products", victim["id"])
        refresh = await api.wait_job(
            (await api.load(conn["connection_id"], mode="refresh", entities=["products"]))["job_id"]
        )
        sandbox.reset_stats()
        again = await api.http.post(f"/connections/{conn['connection_id']}/republish")
        await api.close()
    assert again.status_code == 202, again.text
    assert sandbox.stats()["total_requests"] == 0, "republish never calls Katana"
    republished = again.json()
    assert refresh["status"] == "succeeded", refresh
    rows = await outbox(settings)
    skus = records(rows, refresh["job_id"], "catalog.skus_changed")
    assert {s["variant_id"] for s in skus} == {str(v["id"]) for v in victim["variants"]}
    assert all(s["deleted"] for s in skus)
    marker = next(
        r["envelope"]["payload"]
        for r in rows
        if r["event_type"] == "connectors.stream_completed"
        and r["envelope"]["payload"]["sync_id"] == refresh["job_id"]
        and r["envelope"]["payload"]["stream"] == "skus"
    )
    assert marker["mode"] == "refresh" and marker["deleted_count"] == len(victim["variants"])
    assert marker["batch_count"] >= 1
    replay = records(rows, republished["sync_id"], "catalog.skus_changed")
    live = {str(v["id"]) for p in products + materials for v in p["variants"]} - {
        str(v["id"]) for v in victim["variants"]
    }
    assert {r["variant_id"] for r in replay} == live and not any(r["deleted"] for r in replay)
