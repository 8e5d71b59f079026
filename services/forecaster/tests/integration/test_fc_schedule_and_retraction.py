"""Daily scheduled re-forecast (tenant-local day, one claim across replicas) and the
retraction of a location's stale forecasts once it is sales-only, on real Postgres."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
from fc_support import NOW, apply_event, line, lines_event, outbox_forecast_events
from sqlalchemy import select

from forecaster.adapters.orm import forecast
from forecaster.background import schedule_daily
from forecaster.handlers import ingest
from forecaster.handlers.recompute import RecomputeConfig, recompute_tenant
from platform_kit.clock import Clock
from platform_kit.db import Database, UnitOfWork
from restock_contracts.catalog.v1 import LocationRecord, LocationsChanged
from restock_contracts.tenancy.v1 import TenantUpdated

pytestmark = pytest.mark.asyncio
CONNECTION = uuid.UUID("00000000-0000-0000-0000-0000000000c2")


async def _tenant_with_sales(db: Database, tz: str, locations: tuple[str, ...]) -> uuid.UUID:
    tenant = uuid.uuid4()
    state = TenantUpdated(
        tenant_id=tenant, name="t", time_zone=tz, base_currency="EUR", primary_source="katana"
    )
    await apply_event(db, ingest.apply_tenant_state, tenant, state)
    last = date(2026, 5, 30)
    recs = [
        line(
            f"{loc}-{k}",
            "v1",
            loc,
            datetime.combine(last - timedelta(days=k), datetime.min.time(), UTC)
            + timedelta(hours=12),
            1 + k % 3,
        )
        for loc in locations
        for k in range(0, 150, 2)
    ]
    await apply_event(db, ingest.apply_sales_lines, tenant, lines_event(recs, None))
    return tenant


def _runtime(db: Database, clock: Clock) -> SimpleNamespace:
    """The parts of the service runtime the schedule uses (real database and clock)."""
    return SimpleNamespace(db=db, clock=clock, uow=lambda: UnitOfWork(db))


async def _run(db: Database, clock: Clock, tenant: uuid.UUID):
    return await recompute_tenant(lambda: UnitOfWork(db), clock, tenant, RecomputeConfig())


async def test_daily_reforecast_follows_the_tenant_local_day_and_is_claimed_once(
    db: Database,
) -> None:
    clock = Clock.from_setting(NOW)  # 06:00 UTC on 2026-06-01
    utc = await _tenant_with_sales(db, "UTC", ("wh",))
    east = await _tenant_with_sales(db, "Pacific/Kiritimati", ("wh",))  # UTC+14: 20:00 local
    for tenant in (utc, east):
        assert await _run(db, clock, tenant) is not None
    runtime = _runtime(db, clock)
    assert await schedule_daily(runtime, hour=1) == []  # both forecast today already

    clock.advance(timedelta(hours=4, minutes=30))  # 00:30 on June 2 in Kiritimati
    assert await schedule_daily(runtime, hour=1) == []  # before the local hour
    clock.advance(timedelta(hours=1))  # 01:30 local: due there, still June 1 in UTC
    replicas = await asyncio.gather(*(schedule_daily(runtime, hour=1) for _ in range(3)))
    assert sorted(len(r) for r in replicas) == [0, 0, 1]
    assert [t for r in replicas for t in r] == [east]
    assert await _run(db, clock, utc) is None  # nothing requested for the UTC tenant
    result = await _run(db, clock, east)
    assert result is not None and result.full
    done = [
        e.payload
        for e in await outbox_forecast_events(db, east)
        if e.event_type == "forecasting.run_completed"
    ]
    assert [(p.trigger, p.as_of) for p in done] == [
        ("sync", date(2026, 6, 1)),
        ("schedule", date(2026, 6, 2)),
    ]
    assert await schedule_daily(runtime, hour=1) == []  # forecasts start today again

    clock.advance(timedelta(hours=19))  # 01:30 UTC on June 2
    assert await schedule_daily(runtime, hour=1) == [utc]
    assert await schedule_daily(runtime, hour=1) == []


async def test_forecasts_of_a_location_merged_as_sales_only_are_retracted(db: Database) -> None:
    clock = Clock.from_setting(NOW)
    tenant = await _tenant_with_sales(db, "UTC", ("wh", "shop"))
    first = await _run(db, clock, tenant)
    assert first is not None and first.n_series == 2 and first.retracted == 0
    assert first.backtest_error_quantiles is not None
    assert set(first.backtest_error_quantiles) == {0.5, 0.9, 0.99}
    merged = LocationsChanged(
        source="katana",
        connection_id=CONNECTION,
        sync_id=None,
        mode="incremental",
        batch_seq=1,
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
    await apply_event(db, ingest.apply_locations, tenant, merged)
    second = await _run(db, clock, tenant)
    assert second is not None and second.n_series == 1 and second.retracted == 1
    events = await outbox_forecast_events(db, tenant)
    batch = [e for e in events if e.event_type == "forecasting.forecasts_published"][-1]
    by_loc = {f.location_id: f for f in batch.payload.forecasts}
    assert set(by_loc) == {"wh", "shop"}
    shop = by_loc["shop"]
    assert shop.model == "retracted" and shop.model_params["merged_into"] == "wh"
    assert sum(shop.mean_daily) == 0 and max(max(r) for r in shop.cumulative_quantiles) == 0
    first_batch = next(e for e in events if e.event_type == "forecasting.forecasts_published")
    before = {f.location_id: sum(f.mean_daily[:28]) for f in first_batch.payload.forecasts}
    assert sum(by_loc["wh"].mean_daily[:28]) == pytest.approx(
        before["wh"] + before["shop"], rel=0.3
    )
    async with db.sessions() as s:
        rows = await s.execute(select(forecast.c.location_id).where(forecast.c.tenant_id == tenant))
        assert list(rows.scalars()) == ["wh"]
    third = await _run(db, clock, tenant)
    assert third is None  # retracted once; nothing pending
