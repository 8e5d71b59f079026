"""Use cases against real Postgres (no broker): upserts, deletions, dirty flags, recompute."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from fc_support import CONNECTION, NOW, line, lines_event
from sqlalchemy import select, text

from forecaster.adapters.orm import dirty_sku, sales_line
from forecaster.handlers import ingest
from forecaster.handlers.recompute import RecomputeConfig, recompute_tenant
from platform_kit.clock import Clock
from platform_kit.db import Database, UnitOfWork
from restock_contracts.planning.v1 import EffectiveSettingsChanged
from restock_contracts.sync.v1 import StreamCompleted
from restock_contracts.tenancy.v1 import TenantUpdated
from restock_contracts.topics import FORECASTS

pytestmark = pytest.mark.asyncio
T0 = datetime(2026, 5, 1, 12, tzinfo=UTC)


async def _apply(db: Database, fn: Any, tenant: uuid.UUID, payload: Any) -> None:
    async with UnitOfWork(db) as uow:
        await fn(uow, tenant, payload)
        await uow.commit()


async def _lines(db: Database, tenant: uuid.UUID) -> dict[str, tuple[Any, ...]]:
    async with db.sessions() as s:
        rows = await s.execute(
            select(sales_line.c.line_id, sales_line.c.quantity, sales_line.c.day).where(
                sales_line.c.tenant_id == tenant
            )
        )
        return {r[0]: (r[1], r[2]) for r in rows}


async def _tenant(db: Database, tz: str = "UTC") -> uuid.UUID:
    tenant = uuid.uuid4()
    state = TenantUpdated(
        tenant_id=tenant, name="t", time_zone=tz, base_currency="EUR", primary_source="katana"
    )
    await _apply(db, ingest.apply_tenant_state, tenant, state)
    return tenant


async def test_upserts_are_idempotent_and_ignore_stale_versions(db: Database) -> None:
    tenant = await _tenant(db, "Europe/Tallinn")
    first = line("l1", "v1", "wh", T0, 5, updated_at=T0)
    await _apply(db, ingest.apply_sales_lines, tenant, lines_event([first], None))
    await _apply(db, ingest.apply_sales_lines, tenant, lines_event([first], None))
    stale = line("l1", "v1", "wh", T0, 9, updated_at=T0 - timedelta(hours=1))
    await _apply(db, ingest.apply_sales_lines, tenant, lines_event([stale], None))
    assert await _lines(db, tenant) == {"l1": (Decimal(5), date(2026, 5, 1))}
    newer = line("l1", "v1", "wh", T0 + timedelta(hours=10), 7, updated_at=T0 + timedelta(hours=1))
    dup_in_batch = line("l1", "v1", "wh", T0, 1, updated_at=T0)
    await _apply(db, ingest.apply_sales_lines, tenant, lines_event([newer, dup_in_batch], None))
    # 22:00 UTC is the next local day in Tallinn
    assert await _lines(db, tenant) == {"l1": (Decimal(7), date(2026, 5, 2))}
    deleted = line("l1", "v1", "wh", T0, 7, updated_at=T0 + timedelta(hours=2), deleted=True)
    await _apply(db, ingest.apply_sales_lines, tenant, lines_event([deleted], None))
    assert await _lines(db, tenant) == {}


async def test_time_zone_change_rebuckets_days(db: Database) -> None:
    tenant = await _tenant(db, "UTC")
    await _apply(
        db,
        ingest.apply_sales_lines,
        tenant,
        lines_event([line("l1", "v1", "wh", datetime(2026, 5, 1, 20, tzinfo=UTC), 1)], None),
    )
    assert (await _lines(db, tenant))["l1"][1] == date(2026, 5, 1)
    state = TenantUpdated(
        tenant_id=tenant,
        name="t",
        time_zone="Asia/Tokyo",
        base_currency="EUR",
        primary_source="katana",
    )
    await _apply(db, ingest.apply_tenant_state, tenant, state)
    assert (await _lines(db, tenant))["l1"][1] == date(2026, 5, 2)


def _done(sync_id: uuid.UUID, batches: int) -> StreamCompleted:
    return StreamCompleted(
        source="katana",
        connection_id=CONNECTION,
        sync_id=sync_id,
        mode="refresh",
        stream="sales_lines",
        batch_count=batches,
        record_count=1,
    )


async def test_refresh_deletions_wait_for_a_complete_stream(db: Database) -> None:
    tenant = await _tenant(db)
    keep, gone = line("a", "v1", "wh", T0, 1), line("b", "v1", "wh", T0, 2)
    await _apply(db, ingest.apply_sales_lines, tenant, lines_event([keep, gone], None))
    incomplete = uuid.uuid4()
    deletion = line("b", "v1", "wh", T0, 2, deleted=True)
    await _apply(
        db,
        ingest.apply_sales_lines,
        tenant,
        lines_event([deletion], incomplete, seq=2, mode="refresh"),
    )
    assert set(await _lines(db, tenant)) == {"a", "b"}
    await _apply(db, ingest.complete_stream, tenant, _done(incomplete, 2))
    assert set(await _lines(db, tenant)) == {"a", "b"}  # batch 1 missing: nothing deleted
    complete = uuid.uuid4()
    await _apply(
        db,
        ingest.apply_sales_lines,
        tenant,
        lines_event([deletion], complete, seq=1, mode="refresh"),
    )
    await _apply(db, ingest.complete_stream, tenant, _done(complete, 1))
    assert set(await _lines(db, tenant)) == {"a"}


def _settings_event(version: int, horizons: dict[str, int]) -> EffectiveSettingsChanged:
    def rec(variant: str, horizon: int) -> dict[str, Any]:
        def val(v: Any) -> dict[str, Any]:
            return {"value": v, "source": "global"}

        return {
            "variant_id": variant,
            "location_id": "wh",
            "lead_time_days": val("7"),
            "lead_time_std_days": val("0"),
            "service_level": val("0.95"),
            "review_period_days": val(7),
            "forecast_period_override": val(None),
            "moq": val(None),
            "order_multiple": val(None),
            "rounding_rule": val("up"),
            "min_stock": val(None),
            "max_stock": val(None),
            "safety_stock_override": val(None),
            "holding_cost_rate": val("0.2"),
            "ordering_cost": val("10"),
            "stock_basis": val("net"),
            "demand_status_policy": val(["open", "fulfilled", "returned"]),
            "po_status_on_create": val("NOT_RECEIVED"),
            "backtest_horizon_days": val(horizon),
        }

    return EffectiveSettingsChanged.model_validate(
        {"settings_version": version, "records": [rec(v, h) for v, h in horizons.items()]}
    )


async def _published(db: Database, tenant: uuid.UUID) -> list[Any]:
    async with db.sessions() as s:
        rows = await s.execute(
            text("select value from outbox where topic = :t and tenant_id = :x order by id"),
            {"t": FORECASTS.name, "x": tenant},
        )
        return [FORECASTS.decode(r[0]) for r in rows]


async def _dirty(db: Database, tenant: uuid.UUID) -> set[str]:
    async with db.sessions() as s:
        rows = await s.execute(
            select(dirty_sku.c.variant_id).where(dirty_sku.c.tenant_id == tenant)
        )
        return set(rows.scalars())


async def test_only_skus_whose_settings_changed_are_recomputed(db: Database) -> None:
    tenant = await _tenant(db)
    last = date(2026, 5, 31)
    recs = [
        line(
            f"{v}-{k}",
            v,
            "wh",
            datetime.combine(last - timedelta(days=k), datetime.min.time(), UTC),
            2,
        )
        for v in ("v1", "v2", "v3")
        for k in range(120)
    ]
    await _apply(db, ingest.apply_sales_lines, tenant, lines_event(recs, None))
    assert await _dirty(db, tenant) == {"v1", "v2", "v3"}
    clock = Clock.from_setting(NOW)
    first = await recompute_tenant(lambda: UnitOfWork(db), clock, tenant, RecomputeConfig())
    assert first is not None and first.n_series == 3 and not first.full
    assert await _dirty(db, tenant) == set()
    assert await recompute_tenant(lambda: UnitOfWork(db), clock, tenant, RecomputeConfig()) is None

    await _apply(
        db,
        ingest.apply_effective_settings,
        tenant,
        _settings_event(1, {"v1": 35, "v2": 14, "v3": 35}),
    )
    assert await _dirty(db, tenant) == {"v2"}  # v1, v3 kept the default horizon of 35
    await _apply(db, ingest.apply_effective_settings, tenant, _settings_event(1, {"v2": 14}))
    second = await recompute_tenant(lambda: UnitOfWork(db), clock, tenant, RecomputeConfig())
    assert second is not None and second.n_series == 1
    events = await _published(db, tenant)
    last_batch = [e for e in events if e.event_type == "forecasting.forecasts_published"][-1]
    assert [f.variant_id for f in last_batch.payload.forecasts] == ["v2"]
    assert last_batch.payload.forecasts[0].backtest.horizon_days == 14
    completed = [e for e in events if e.event_type == "forecasting.run_completed"]
    assert [e.payload.trigger for e in completed] == ["sync", "settings"]
    assert [e.payload.forecast_count for e in completed] == [3, 1]
