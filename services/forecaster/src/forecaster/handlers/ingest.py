"""Consumer use cases: keep forecast inputs current and flag what must be recomputed."""

from __future__ import annotations

import math
import uuid
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from forecaster.adapters import inputs
from forecaster.adapters.dirty import mark_dirty
from forecaster.adapters.orm import location, metadata, sku
from forecaster.domain.demand import (
    DEFAULT_BACKTEST_HORIZON_DAYS,
    DEFAULT_DEMAND_STATUSES,
    demand_instant,
    latest_by_key,
)
from platform_kit.db.uow import UnitOfWork
from platform_kit.messaging.sync import SyncTracker
from platform_kit.tenancy import upsert_tenant
from restock_contracts.catalog.v1 import LocationsChanged, SkusChanged
from restock_contracts.inventory.v1 import StockLevelsChanged, StockMovementsChanged
from restock_contracts.planning.v1 import EffectiveSettings, EffectiveSettingsChanged
from restock_contracts.sales.v1 import SalesLinesChanged
from restock_contracts.sync.v1 import StreamCompleted

tracker = SyncTracker("forecaster")


async def _track(uow: UnitOfWork, tenant_id: uuid.UUID, payload: Any, stream: str) -> None:
    if payload.sync_id is not None:
        await tracker.record_batch(
            uow,
            tenant_id=tenant_id,
            sync_id=payload.sync_id,
            stream=stream,
            mode=payload.mode,
            batch_seq=payload.batch_seq,
        )


async def _deletions(
    uow: UnitOfWork,
    tenant_id: uuid.UUID,
    payload: Any,
    stream: str,
    records: list[tuple[str, dict[str, Any]]],
) -> bool:
    """Stage refresh-mode deletions (applied at the stream's completion); True if staged."""
    if payload.mode == "refresh" and payload.sync_id is not None:
        await tracker.stage_deletions(
            uow, tenant_id=tenant_id, sync_id=payload.sync_id, stream=stream, records=records
        )
        return True
    return False


async def apply_sales_lines(
    uow: UnitOfWork, tenant_id: uuid.UUID, payload: SalesLinesChanged
) -> None:
    """Upsert lines (newer ``updated_at`` only), honour deletions, flag their SKUs."""
    await _track(uow, tenant_id, payload, "sales_lines")
    tz = ZoneInfo(await inputs.tenant_time_zone(uow.session, tenant_id))
    records = latest_by_key(payload.records, [r.line_id for r in payload.records])
    live = [r for r in records if not r.deleted]
    at = [demand_instant(r.order_date, r.is_return, r.original_sale_date) for r in live]
    await inputs.upsert_sales_lines(
        uow.session,
        tenant_id,
        {
            "line_id": [r.line_id for r in live],
            "order_id": [r.order_id for r in live],
            "variant_id": [r.variant_id for r in live],
            "location_id": [r.location_id for r in live],
            "demand_at": at,
            "day": [a.astimezone(tz).date() for a in at],
            "quantity": [r.quantity for r in live],
            "is_return": [r.is_return for r in live],
            "status": [r.status for r in live],
            "raw_status": [r.raw_status[:64] for r in live],
            "updated_at": [r.updated_at for r in live],
        },
    )
    gone = [
        (r.line_id, {"line_id": r.line_id, "variant_id": r.variant_id})
        for r in records
        if r.deleted
    ]
    if gone and not await _deletions(uow, tenant_id, payload, "sales_lines", gone):
        await inputs.delete_sales_lines(uow.session, tenant_id, [k for k, _ in gone])
    staged = payload.mode == "refresh" and payload.sync_id is not None
    await mark_dirty(
        uow.session, tenant_id, {r.variant_id for r in records if not (r.deleted and staged)}
    )


async def apply_movements(
    uow: UnitOfWork, tenant_id: uuid.UUID, payload: StockMovementsChanged
) -> None:
    """Stock movements (balance after) for stock-out reconstruction."""
    await _track(uow, tenant_id, payload, "stock_movements")
    tz = ZoneInfo(await inputs.tenant_time_zone(uow.session, tenant_id))
    records = latest_by_key(payload.records, [r.movement_id for r in payload.records])
    rows = [
        {
            "tenant_id": tenant_id,
            "movement_id": r.movement_id,
            "variant_id": r.variant_id,
            "location_id": r.location_id,
            "movement_at": r.movement_date,
            "day": r.movement_date.astimezone(tz).date(),
            "balance_after": r.balance_after,
            "updated_at": r.updated_at,
        }
        for r in records
        if not r.deleted
    ]
    await inputs.upsert_movements(uow.session, rows)
    gone = [
        (r.movement_id, {"movement_id": r.movement_id, "variant_id": r.variant_id})
        for r in records
        if r.deleted
    ]
    if gone and not await _deletions(uow, tenant_id, payload, "stock_movements", gone):
        await inputs.delete_movements(uow.session, tenant_id, [k for k, _ in gone])
    await mark_dirty(uow.session, tenant_id, {r.variant_id for r in records})


async def apply_stock_levels(
    uow: UnitOfWork, tenant_id: uuid.UUID, payload: StockLevelsChanged
) -> None:
    """Stock-level snapshots (Xero has no movement history: stock-outs start here)."""
    await _track(uow, tenant_id, payload, "stock_levels")
    tz = ZoneInfo(await inputs.tenant_time_zone(uow.session, tenant_id))
    rows = [
        {
            "tenant_id": tenant_id,
            "variant_id": r.variant_id,
            "location_id": r.location_id,
            "as_of": r.as_of,
            "day": r.as_of.astimezone(tz).date(),
            "on_hand": r.on_hand,
        }
        for r in payload.records
        if not r.deleted
    ]
    unique = {(r["variant_id"], r["location_id"], r["as_of"]): r for r in rows}
    await inputs.upsert_snapshots(uow.session, list(unique.values()))
    await mark_dirty(uow.session, tenant_id, {str(r["variant_id"]) for r in rows})


async def apply_skus(uow: UnitOfWork, tenant_id: uuid.UUID, payload: SkusChanged) -> None:
    """Catalog: SKU codes, categories (pooled seasonality) and discontinued flags."""
    await _track(uow, tenant_id, payload, "skus")
    records = latest_by_key(payload.records, [r.variant_id for r in payload.records])
    before = {
        r[0]: tuple(r[1:])
        for r in await uow.session.execute(
            select(sku.c.variant_id, sku.c.category, sku.c.discontinued, sku.c.deleted).where(
                sku.c.tenant_id == tenant_id, sku.c.variant_id.in_([r.variant_id for r in records])
            )
        )
    }
    rows = [
        {
            "tenant_id": tenant_id,
            "variant_id": r.variant_id,
            "sku": r.sku,
            "name": r.name[:500],
            "category": r.category,
            "discontinued": r.discontinued,
            "deleted": r.deleted,
            "updated_at": r.updated_at,
        }
        for r in records
    ]
    await inputs.upsert_skus(uow.session, rows)
    changed = {
        r.variant_id
        for r in records
        if before.get(r.variant_id) != (r.category, r.discontinued, r.deleted)
    }
    await mark_dirty(uow.session, tenant_id, changed)


async def apply_locations(uow: UnitOfWork, tenant_id: uuid.UUID, payload: LocationsChanged) -> None:
    """Locations: a change to the roll-up (sales-only -> purchasing) re-forecasts the tenant."""
    await _track(uow, tenant_id, payload, "locations")
    records = latest_by_key(payload.records, [r.location_id for r in payload.records])
    before = {
        r[0]: tuple(r[1:])
        for r in await uow.session.execute(
            select(
                location.c.location_id,
                location.c.is_sales_only,
                location.c.purchasing_location_id,
                location.c.deleted,
            ).where(
                location.c.tenant_id == tenant_id,
                location.c.location_id.in_([r.location_id for r in records]),
            )
        )
    }
    rows = [
        {
            "tenant_id": tenant_id,
            "location_id": r.location_id,
            "name": r.name[:200],
            "is_sales_only": r.is_sales_only,
            "purchasing_location_id": r.purchasing_location_id,
            "deleted": r.deleted,
            "updated_at": r.updated_at,
        }
        for r in records
    ]
    await inputs.upsert_locations(uow.session, rows)
    changed = any(
        before.get(r.location_id, (False, None, False))
        != (r.is_sales_only, r.purchasing_location_id, r.deleted)
        for r in records
    )
    if changed:
        await mark_dirty(uow.session, tenant_id, (), full=True)


async def complete_stream(uow: UnitOfWork, tenant_id: uuid.UUID, payload: StreamCompleted) -> None:
    """Apply staged refresh deletions if every batch came; a finished sales sync recomputes.

    A complete sales (or stock movements: stock-out days) stream requests a FULL
    recompute, not just the dirty SKUs: the engine pools statistics across the series of
    a run (seasonal profiles per category, calibration per demand class), so the
    forecasts left by the partial runs of a slow load would depend on how the load was
    batched. The full run after the sync makes the published state a function of the
    data and settings only.
    """
    done = await tracker.complete(
        uow,
        tenant_id=tenant_id,
        sync_id=payload.sync_id,
        stream=payload.stream,
        mode=payload.mode,
        batch_count=payload.batch_count,
    )
    variants = {str(d.get("variant_id")) for d in done.deletions if d.get("variant_id")}
    if payload.stream == "sales_lines":
        await inputs.delete_sales_lines(
            uow.session, tenant_id, [d["line_id"] for d in done.deletions]
        )
    elif payload.stream == "stock_movements":
        await inputs.delete_movements(
            uow.session, tenant_id, [d["movement_id"] for d in done.deletions]
        )
    sales_synced = payload.stream == "sales_lines" and done.complete
    await mark_dirty(
        uow.session,
        tenant_id,
        variants,
        ready=sales_synced,
        full=done.complete and payload.stream in ("sales_lines", "stock_movements"),
    )


def effective_values(s: EffectiveSettings) -> tuple[int, list[str]]:
    """(backtest horizon days, demand statuses) the forecaster uses from effective settings."""
    horizon = int(s.backtest_horizon_days.value)
    if horizon < 1:
        horizon = math.ceil(float(s.lead_time_days.value)) + int(s.review_period_days.value)
    statuses = sorted(s.demand_status_policy.value or DEFAULT_DEMAND_STATUSES)
    return (horizon if horizon >= 1 else DEFAULT_BACKTEST_HORIZON_DAYS), statuses


async def apply_effective_settings(
    uow: UnitOfWork, tenant_id: uuid.UUID, payload: EffectiveSettingsChanged
) -> None:
    """Store the settings that feed the forecast; re-forecast only SKUs whose values changed."""
    new = {(r.variant_id, r.location_id): effective_values(r) for r in payload.records}
    held = await inputs.current_settings(uow.session, tenant_id, list(new))
    rows, changed = [], set()
    for key, (horizon, statuses) in new.items():
        old = held.get(key)
        if old is not None and old[2] > payload.settings_version:
            continue
        before = (
            (DEFAULT_BACKTEST_HORIZON_DAYS, sorted(DEFAULT_DEMAND_STATUSES))
            if old is None
            else (old[0], sorted(old[1]))
        )
        if before != (horizon, statuses):
            changed.add(key[0])
        rows.append(
            {
                "tenant_id": tenant_id,
                "variant_id": key[0],
                "location_id": key[1],
                "backtest_horizon_days": horizon,
                "demand_statuses": statuses,
                "settings_version": payload.settings_version,
            }
        )
    await inputs.upsert_settings(uow.session, rows)
    await mark_dirty(uow.session, tenant_id, changed, trigger="settings")


async def apply_tenant_state(uow: UnitOfWork, tenant_id: uuid.UUID, state: Any) -> None:
    """Kit provisioning, plus re-bucketing local days when the time zone changes."""
    tenant = metadata.tables["tenant"]
    old = (
        await uow.session.execute(select(tenant.c.time_zone).where(tenant.c.tenant_id == tenant_id))
    ).scalar_one_or_none()
    if not await upsert_tenant(uow, state):
        return
    new = state.time_zone or inputs.DEFAULT_TIME_ZONE
    if (old or inputs.DEFAULT_TIME_ZONE) != new:
        await inputs.rebucket_days(uow.session, tenant_id, new)
        await mark_dirty(uow.session, tenant_id, (), full=True, trigger="settings")
