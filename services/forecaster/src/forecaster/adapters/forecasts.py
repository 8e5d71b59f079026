"""Stored runs, latest forecasts per SKU x location, and overrides."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, delete, func, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from forecaster.adapters.orm import forecast, forecast_override, forecast_run, sku


async def insert_run(session: AsyncSession, row: dict[str, Any]) -> None:
    await session.execute(forecast_run.insert().values(**row))


async def finish_run(session: AsyncSession, run_id: uuid.UUID, **values: Any) -> None:
    await session.execute(
        update(forecast_run).where(forecast_run.c.run_id == run_id).values(**values)
    )


async def list_runs(session: AsyncSession, tenant_id: uuid.UUID, limit: int) -> list[Any]:
    rows = await session.execute(
        select(forecast_run)
        .where(forecast_run.c.tenant_id == tenant_id)
        .order_by(forecast_run.c.started_at.desc())
        .limit(limit)
    )
    return list(rows.mappings().all())


async def upsert_forecasts(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Replace the latest forecast of each SKU x location."""
    if not rows:
        return
    stmt = pg_insert(forecast)
    stmt = stmt.on_conflict_do_update(
        index_elements=["tenant_id", "variant_id", "location_id"],
        set_={
            c: stmt.excluded[c]
            for c in rows[0]
            if c not in ("tenant_id", "variant_id", "location_id")
        },
    )
    await session.execute(stmt, list(rows))


async def delete_forecasts(
    session: AsyncSession, tenant_id: uuid.UUID, keys: Sequence[tuple[str, str]]
) -> None:
    """Drop the stored forecasts of these (variant, location) pairs (one statement)."""
    if not keys:
        return
    await session.execute(
        text(
            "delete from forecast f using unnest(cast(:v as varchar[]), cast(:l as varchar[])) "
            "as k(v, l) where f.tenant_id = :t and f.variant_id = k.v and f.location_id = k.l"
        ),
        {"t": tenant_id, "v": [k[0] for k in keys], "l": [k[1] for k in keys]},
    )


async def set_adjusted(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    variant_id: str,
    location_id: str,
    mean: list[float] | None,
    quantiles: list[list[float]] | None,
    run_id: uuid.UUID,
) -> None:
    await session.execute(
        update(forecast)
        .where(
            forecast.c.tenant_id == tenant_id,
            forecast.c.variant_id == variant_id,
            forecast.c.location_id == location_id,
        )
        .values(mean_daily=mean, cum_quantiles=quantiles, run_id=run_id, updated_at=func.now())
    )


async def get_forecast(
    session: AsyncSession, tenant_id: uuid.UUID, variant_id: str, location_id: str | None
) -> list[Any]:
    """The forecasts of a SKU (one location, or all of its locations)."""
    stmt = select(forecast).where(
        forecast.c.tenant_id == tenant_id, forecast.c.variant_id == variant_id
    )
    if location_id is not None:
        stmt = stmt.where(forecast.c.location_id == location_id)
    return list((await session.execute(stmt.order_by(forecast.c.location_id))).mappings().all())


LIST_COLUMNS = {
    "variant_id": forecast.c.variant_id,
    "location_id": forecast.c.location_id,
    "sku": forecast.c.sku,
    "demand_class": forecast.c.demand_class,
    "model": forecast.c.model,
    "backtest_error": forecast.c.backtest_error,
    "bias": forecast.c.bias,
    "mean_28d": forecast.c.mean_28d,
    "updated_at": forecast.c.updated_at,
}


def list_query(
    tenant_id: uuid.UUID,
    *,
    demand_class: str | None,
    model: str | None,
    location_id: str | None,
    q: str | None,
) -> Select[Any]:
    """Forecast summaries of a tenant, filtered (``q`` searches SKU code, name, id)."""
    stmt = (
        select(
            forecast.c.variant_id,
            forecast.c.location_id,
            forecast.c.sku,
            sku.c.name,
            forecast.c.demand_class,
            forecast.c.model,
            forecast.c.backtest_error,
            forecast.c.bias,
            forecast.c.mean_28d,
            forecast.c.as_of,
            forecast.c.run_id,
            forecast.c.updated_at,
            forecast.c.mean_daily.is_not(None).label("overridden"),
        )
        .select_from(
            forecast.outerjoin(
                sku,
                (sku.c.tenant_id == forecast.c.tenant_id)
                & (sku.c.variant_id == forecast.c.variant_id),
            )
        )
        .where(forecast.c.tenant_id == tenant_id)
    )
    if demand_class:
        stmt = stmt.where(forecast.c.demand_class == demand_class)
    if model:
        stmt = stmt.where(forecast.c.model == model)
    if location_id:
        stmt = stmt.where(forecast.c.location_id == location_id)
    if q:
        like = f"%{q}%"
        stmt = stmt.where(
            or_(
                forecast.c.sku.ilike(like),
                sku.c.name.ilike(like),
                forecast.c.variant_id.ilike(like),
            )
        )
    return stmt


async def overrides_for(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    keys: Sequence[tuple[str, str]] | None = None,
    active_on: date | None = None,
) -> list[Any]:
    """Overrides of a tenant (optionally of some series, still active on a day), oldest first."""
    stmt = select(forecast_override).where(forecast_override.c.tenant_id == tenant_id)
    if keys is not None:
        if not keys:
            return []
        variants = sorted({k[0] for k in keys})
        stmt = stmt.where(forecast_override.c.variant_id.in_(variants))
    if active_on is not None:
        stmt = stmt.where(
            or_(forecast_override.c.end_date.is_(None), forecast_override.c.end_date >= active_on)
        )
    rows = (await session.execute(stmt.order_by(forecast_override.c.created_at))).mappings().all()
    wanted = None if keys is None else set(keys)
    return [r for r in rows if wanted is None or (r["variant_id"], r["location_id"]) in wanted]


async def get_override(
    session: AsyncSession, tenant_id: uuid.UUID, override_id: uuid.UUID, for_update: bool = False
) -> Any:
    stmt = select(forecast_override).where(
        forecast_override.c.tenant_id == tenant_id, forecast_override.c.override_id == override_id
    )
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).mappings().one_or_none()


async def insert_override(session: AsyncSession, row: dict[str, Any]) -> None:
    await session.execute(forecast_override.insert().values(**row))


async def update_override(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    override_id: uuid.UUID,
    values: dict[str, Any],
    now: datetime,
) -> None:
    await session.execute(
        update(forecast_override)
        .where(
            forecast_override.c.tenant_id == tenant_id,
            forecast_override.c.override_id == override_id,
        )
        .values(**values, updated_at=now, version=forecast_override.c.version + 1)
    )


async def delete_override(
    session: AsyncSession, tenant_id: uuid.UUID, override_id: uuid.UUID
) -> None:
    await session.execute(
        delete(forecast_override).where(
            forecast_override.c.tenant_id == tenant_id,
            forecast_override.c.override_id == override_id,
        )
    )
