"""Sales, stock and catalog events through the real broker -> forecasts on the broker and API."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fc_support import CONNECTION, line, lines_event, running_service

from restock_contracts.catalog.v1 import LocationRecord, LocationsChanged, SkuRecord, SkusChanged
from restock_contracts.inventory.v1 import StockMovementRecord, StockMovementsChanged
from restock_contracts.sync.v1 import StreamCompleted
from restock_contracts.tenancy.v1 import TenantCreated
from restock_contracts.topics import LOCATIONS, SALES_LINES, SKUS, STOCK_MOVEMENTS, TENANTS

pytestmark = pytest.mark.asyncio

LAST_DAY = date(2026, 5, 31)  # RESTOCK_NOW 2026-06-01 06:00Z is June 1, 18:00 in Auckland
TZ = "Pacific/Auckland"


def _at(day: date, hour: int = 1) -> datetime:
    """01:00 UTC is 13:00 the same day in Auckland (NZST, UTC+12)."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def _history() -> list[Any]:
    recs = []
    for k in range(300):
        day = LAST_DAY - timedelta(days=k)
        recs.append(line(f"wh-{k}", "v1", "wh", _at(day), 3))
        if k % 2 == 0:
            recs.append(line(f"v2-{k}", "v2", "wh", _at(day), 1))
    recs += [
        # 13:30 UTC on May 20 is 01:30 on May 21 in Auckland
        line("shop-late", "v1", "shop", datetime(2026, 5, 20, 13, 30, tzinfo=UTC), 50),
        line("quote", "v1", "wh", _at(date(2026, 5, 12)), 100, status="quote"),
        line("open", "v1", "wh", _at(date(2026, 5, 13)), 4, status="open"),
        line(
            "ret",
            "v1",
            "wh",
            _at(date(2026, 5, 25)),
            2,
            status="returned",
            is_return=True,
            original_sale_date=_at(date(2026, 5, 10)),
        ),
        line(
            "big-ret",
            "v1",
            "shop",
            _at(date(2026, 5, 26)),
            40,
            status="returned",
            is_return=True,
            original_sale_date=_at(date(2026, 5, 14)),
        ),
    ]
    return recs


def _meta(seq: int = 1, sync_id: uuid.UUID | None = None) -> dict[str, Any]:
    return {
        "source": "katana",
        "connection_id": CONNECTION,
        "sync_id": sync_id,
        "mode": "incremental",
        "batch_seq": seq,
    }


async def _seed(bus: Any, tenant: uuid.UUID, runtime: Any = None) -> None:
    env = TENANTS.envelope(
        TenantCreated(
            tenant_id=tenant, name="A", time_zone=TZ, base_currency="NZD", primary_source="katana"
        ),
        tenant_id=tenant,
        producer="test",
    )
    await bus.send(TENANTS, env)
    skus = SkusChanged(
        **_meta(),
        records=[
            SkuRecord(
                product_id="p",
                variant_id=v,
                sku=f"SKU-{v}",
                name=f"Thing {v}",
                category="c",
                uom="pcs",
                is_purchased=True,
                is_manufactured=False,
                is_sold=True,
                cost=None,
                price=None,
                discontinued=(v == "v2"),
                updated_at=_at(LAST_DAY),
            )
            for v in ("v1", "v2")
        ],
    )
    await bus.send(SKUS, SKUS.envelope(skus, tenant_id=tenant, producer="test"))
    locs = LocationsChanged(
        **_meta(),
        records=[
            LocationRecord(location_id="wh", name="Warehouse", updated_at=None),
            LocationRecord(
                location_id="shop",
                name="Shop",
                is_sales_only=True,
                purchasing_location_id="wh",
                updated_at=None,
            ),
        ],
    )
    await bus.send(LOCATIONS, LOCATIONS.envelope(locs, tenant_id=tenant, producer="test"))
    if runtime is not None:
        await _wait_for_locations(runtime, tenant, 2)
    moves = StockMovementsChanged(
        **_meta(),
        records=[
            StockMovementRecord(
                movement_id="m1",
                variant_id="v1",
                location_id="wh",
                movement_date=datetime(2026, 5, 1, 10, tzinfo=UTC),
                quantity_change=Decimal(-3),
                balance_after=Decimal(0),
                cause="sale",
                resource_type="SalesOrderRow",
                updated_at=None,
            ),
            StockMovementRecord(
                movement_id="m2",
                variant_id="v1",
                location_id="wh",
                movement_date=datetime(2026, 5, 4, 2, tzinfo=UTC),
                quantity_change=Decimal(90),
                balance_after=Decimal(90),
                cause="purchase",
                resource_type="PurchaseOrderRow",
                updated_at=None,
            ),
        ],
    )
    await bus.send(
        STOCK_MOVEMENTS, STOCK_MOVEMENTS.envelope(moves, tenant_id=tenant, producer="test")
    )
    sync_id = uuid.uuid4()
    recs = _history()
    batches = [recs[i : i + 200] for i in range(0, len(recs), 200)]
    for seq, batch in enumerate(batches, start=1):
        env = SALES_LINES.envelope(
            lines_event(batch, sync_id, seq), tenant_id=tenant, producer="test"
        )
        await bus.send(SALES_LINES, env)
    done = StreamCompleted(
        source="katana",
        connection_id=CONNECTION,
        sync_id=sync_id,
        mode="incremental",
        stream="sales_lines",
        batch_count=len(batches),
        record_count=len(recs),
    )
    await bus.send(SALES_LINES, SALES_LINES.envelope(done, tenant_id=tenant, producer="test"))


async def _wait_for_locations(runtime: Any, tenant: uuid.UUID, count: int) -> None:
    """Topics are not ordered against each other: make sure the roll-up is known before
    sales arrive, as it is in a real sync (locations are read before orders)."""
    from sqlalchemy import func, select

    from forecaster.adapters.orm import location

    for _ in range(300):
        async with runtime.uow() as uow:
            found = (
                await uow.session.execute(
                    select(func.count()).select_from(location).where(location.c.tenant_id == tenant)
                )
            ).scalar_one()
        if found >= count:
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the forecaster never stored the locations")


def _forecasts(events: list[Any]) -> dict[tuple[str, str], Any]:
    out = {}
    for e in events:
        if e.event_type == "forecasting.forecasts_published":
            for f in e.payload.forecasts:
                out[(f.variant_id, f.location_id)] = f
    return out


def _completed(events: list[Any], trigger: str) -> list[Any]:
    return [
        e
        for e in events
        if e.event_type == "forecasting.run_completed" and e.payload.trigger == trigger
    ]


def _first_runs(events: list[Any]) -> list[Any]:
    return _completed(events, "sync") + _completed(events, "settings")


async def test_sales_events_become_published_forecasts_with_explanations(
    settings_factory: Any, bus: Any, mint_token: Any
) -> None:
    tenant, other = uuid.uuid4(), uuid.uuid4()
    async with running_service(settings_factory(recompute_quiet_s=30.0)) as (url, runtime):
        await bus.start()
        await _seed(bus, tenant, runtime)
        # "settings" when the tenant (time zone) arrives after the sales sync completed
        events = await bus.collect(tenant, lambda ev: bool(_first_runs(ev)))
        run = _first_runs(events)[0].payload
        published = _forecasts(events)
        assert set(published) == {("v1", "wh"), ("v2", "wh")}
        assert run.forecast_count == 2 and run.batch_count >= 1
        v1, v2 = published[("v1", "wh")], published[("v2", "wh")]
        assert v1.as_of == date(2026, 6, 1) and len(v1.mean_daily) == 365
        assert 2.0 < sum(v1.mean_daily[:28]) / 28 < 4.5
        assert v2.demand_class == "discontinued" and sum(v2.mean_daily) == 0
        assert v1.backtest is not None and v1.backtest.horizon_days == 35

        viewer = {"Authorization": f"Bearer {mint_token(tenant, ['viewer'])}"}
        planner = {"Authorization": f"Bearer {mint_token(tenant, ['planner'], 'pat')}"}
        stranger = {"Authorization": f"Bearer {mint_token(other, ['admin'])}"}
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            scrape = (await client.get("/metrics")).text
            errors = {
                ln.split('"')[1]: float(ln.rsplit(" ", 1)[1])
                for ln in scrape.splitlines()
                if ln.startswith("restock_forecast_backtest_error{")
            }
            assert set(errors) == {"0.5", "0.9", "0.99"}  # the run's backtest-error summary
            assert 0 < errors["0.5"] <= errors["0.9"] <= errors["0.99"]
            assert "tenant" not in scrape.split("restock_forecast_backtest_error", 1)[1][:200]
            listing = (await client.get("/forecasts?sort=-mean_28d", headers=viewer)).json()
            assert [i["variant_id"] for i in listing["items"]] == ["v1", "v2"]
            assert listing["total"] == 2
            only = (await client.get("/forecasts?demand_class=discontinued", headers=viewer)).json()
            assert [i["variant_id"] for i in only["items"]] == ["v2"]
            assert (await client.get("/forecasts?q=SKU-v1", headers=viewer)).json()["total"] == 1
            bad = await client.get("/forecasts?sort=nope", headers=viewer)
            assert bad.status_code == 422
            assert bad.headers["content-type"].startswith("application/problem+json")

            resp = await client.get("/forecasts/v1", headers=viewer)
            assert resp.status_code == 200
            exp = resp.json()["locations"][0]
            assert exp["location_id"] == "wh" and exp["model"] == v1.model
            assert exp["candidates"] and exp["explanation"]["weekday_profile"]
            days = {d["date"]: d for d in exp["history"]}
            assert days["2026-05-21"]["demand"] == 53  # shop line, local day, merged
            assert days["2026-05-20"]["demand"] == 3
            assert days["2026-05-12"]["demand"] == 3  # quote excluded
            assert days["2026-05-13"]["demand"] == 7  # open order counts on its date
            assert days["2026-05-10"]["demand"] == 1  # return on the original sale date
            assert days["2026-05-14"]["demand"] == 0  # never negative
            assert exp["stockout_days"] == ["2026-05-01", "2026-05-02", "2026-05-03"]
            assert exp["statistical"]["interval"][0]["horizon_days"] == 7
            assert exp["adjusted"] is None

            for path in ("/forecasts/v1", "/forecasts/v1/overrides"):
                assert (await client.get(path, headers=stranger)).status_code in (404, 200)
            assert (await client.get("/forecasts/v1", headers=stranger)).status_code == 404
            assert (await client.get("/forecasts/v1/overrides", headers=stranger)).json() == []
            assert (await client.get("/forecasts", headers=stranger)).json()["total"] == 0
            assert (await client.get("/forecasts")).status_code == 401

            body = {
                "location_id": "wh",
                "kind": "period",
                "start_date": "2026-06-01",
                "end_date": "2026-06-07",
                "total_units": "70",
                "note": "promo",
            }
            denied = await client.post("/forecasts/v1/overrides", json=body, headers=viewer)
            assert denied.status_code == 403
            created = await client.post(
                "/forecasts/v1/overrides", json=body, headers={**planner, "Idempotency-Key": "k1"}
            )
            assert created.status_code == 201, created.text
            again = await client.post(
                "/forecasts/v1/overrides", json=body, headers={**planner, "Idempotency-Key": "k1"}
            )
            assert again.json()["override_id"] == created.json()["override_id"]
            ov = created.json()
            assert ov["created_by"] == "pat"
            cross = await client.post(
                "/forecasts/v1/overrides",
                json=body,
                headers={"Authorization": f"Bearer {mint_token(other, ['planner'])}"},
            )
            assert cross.status_code == 404
            invalid = await client.post(
                "/forecasts/v1/overrides", headers=planner, json={**body, "end_date": "2026-05-01"}
            )
            assert invalid.status_code == 422

            events = await bus.collect(tenant, lambda ev: bool(_completed(ev, "override")))
            adjusted = _forecasts(
                [
                    e
                    for e in events
                    if e.payload.forecast_run_id
                    == _completed(events, "override")[0].payload.forecast_run_id
                ]
            )
            f = adjusted[("v1", "wh")]
            assert f.mean_daily[:7] == [10.0] * 7
            assert f.cumulative_quantiles[0][0] > v1.cumulative_quantiles[0][0]
            exp = (await client.get("/forecasts/v1?location_id=wh", headers=viewer)).json()
            runs = (await client.get("/forecast-runs", headers=viewer)).json()
            # the tenant event may arrive after the sales lines: a "settings" run re-buckets
            assert runs[0]["trigger"] == "override"
            assert {r["trigger"] for r in runs} <= {"override", "sync", "settings"}
            assert exp["locations"][0]["adjusted"]["mean_daily"][:7] == [10.0] * 7
            assert exp["locations"][0]["overrides"][0]["note"] == "promo"

            path = f"/overrides/{ov['override_id']}"
            stale = await client.put(
                path,
                json={**body, "total_units": "7"},
                headers={**planner, "If-Match": 'W/"nope-1"'},
            )
            assert stale.status_code == 412
            etag = (await client.get(path, headers=viewer)).headers["etag"]
            changed = await client.put(
                path, json={**body, "total_units": "7"}, headers={**planner, "If-Match": etag}
            )
            assert changed.status_code == 200 and changed.json()["version"] == 2
            assert (await client.delete(path, headers=planner)).status_code == 204
            assert (await client.get(path, headers=viewer)).status_code == 404
            listing = (await client.get("/forecasts", headers=viewer)).json()
            assert not any(i["overridden"] for i in listing["items"])
            runs = (await client.get("/forecast-runs", headers=viewer)).json()
            assert [r["trigger"] for r in runs].count("override") == 3

            assert (await client.post("/forecasts/recompute", headers=viewer)).status_code == 403
            full = await client.post("/forecasts/recompute", headers=planner)
            assert full.status_code == 202 and full.json()["scope"] == "full"
            events = await bus.collect(tenant, lambda ev: bool(_completed(ev, "manual")))
            assert _completed(events, "manual")[0].payload.forecast_count == 2
