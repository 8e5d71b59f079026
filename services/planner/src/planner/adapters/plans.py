"""Plan rows: written in bulk (COPY) per plan version, read with filters, sort and paging."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Select, and_, case, delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from planner.adapters.orm import PLAN_FLOATS, PLAN_TEXTS, plan_row, plan_state

COPY_COLUMNS = (
    "tenant_id",
    "variant_id",
    "location_id",
    "plan_version",
    *PLAN_FLOATS,
    *PLAN_TEXTS,
    "latest_order_date",
    "has_forecast",
    "rolled_up_locations",
    "settings",
)
SORTABLE = (
    "sku",
    "name",
    "category",
    "supplier_name",
    "location_id",
    "status",
    "order_qty",
    "days_until_stockout",
    "latest_order_date",
    "excess_value",
    "shortage_cost",
    "inventory_value",
    "net_position",
    "reorder_point",
)


def _floats(arr: Any) -> list[float | None]:
    a = np.asarray(arr, dtype=np.float64) + 0.0
    out: list[float | None] = a.tolist()
    for i in np.flatnonzero(~np.isfinite(a)):
        out[i] = None
    return out


def _dates(arr: Any) -> list[Any]:
    a = np.asarray(arr, dtype="datetime64[D]")
    return [None if np.isnat(d) else d.item() for d in a]


async def old_hashes(session: AsyncSession, tenant_id: uuid.UUID) -> dict[tuple[str, str], str]:
    """Settings hashes of the current plan, to publish only changed effective settings."""
    rows = await session.execute(
        select(plan_row.c.variant_id, plan_row.c.location_id, plan_row.c.settings_hash).where(
            plan_row.c.tenant_id == tenant_id
        )
    )
    return {(r[0], r[1]): r[2] for r in rows}


async def replace_rows(
    session: AsyncSession, tenant_id: uuid.UUID, version: int, columns: dict[str, Any]
) -> None:
    """Swap the tenant's plan rows for ``columns`` (one plan version) with COPY."""
    await session.execute(delete(plan_row).where(plan_row.c.tenant_id == tenant_id))
    n = len(columns["variant_id"])
    if n == 0:
        return
    data: dict[str, list[Any]] = {
        "tenant_id": [tenant_id] * n,
        "plan_version": [version] * n,
        "latest_order_date": _dates(columns["latest_order_date"]),
        "has_forecast": [bool(b) for b in columns["has_forecast"]],
        "rolled_up_locations": [json.dumps(v) for v in columns["rolled_up_locations"]],
        "settings": [json.dumps(v) for v in columns["settings"]],
    }
    for name in PLAN_FLOATS:
        data[name] = _floats(columns[name])
    for name in ("variant_id", "location_id", *PLAN_TEXTS):
        data[name] = [None if v is None else str(v) for v in columns[name]]
    records = list(zip(*(data[c] for c in COPY_COLUMNS), strict=True))
    conn = await session.connection()
    raw = await conn.get_raw_connection()
    driver: Any = raw.driver_connection
    await driver.copy_records_to_table("plan_row", records=records, columns=list(COPY_COLUMNS))


LIST_COLUMNS = [c for c in plan_row.c if c.name not in ("settings", "settings_hash")]
"""Columns of list queries (the per-row settings document is only read one row at a time)."""


@dataclass(frozen=True)
class PlanFilter:
    """Order-plan filters (all optional)."""

    supplier_id: str | None = None
    category: str | None = None
    location_id: str | None = None
    status: Sequence[str] = ()
    action: str | None = None
    q: str | None = None
    needs_order: bool | None = None


def filtered(tenant_id: uuid.UUID, f: PlanFilter) -> Select[Any]:
    """SELECT of the tenant's plan rows matching ``f``."""
    where = [plan_row.c.tenant_id == tenant_id]
    if f.supplier_id:
        where.append(plan_row.c.supplier_id == f.supplier_id)
    if f.category:
        where.append(plan_row.c.category == f.category)
    if f.location_id:
        where.append(plan_row.c.location_id == f.location_id)
    if f.status:
        where.append(plan_row.c.status.in_(list(f.status)))
    if f.action:
        where.append(plan_row.c.action == f.action)
    if f.needs_order is not None:
        where.append((plan_row.c.order_qty > 0) == f.needs_order)
    if f.q:
        escaped = f.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        like = f"%{escaped}%"
        where.append(
            or_(
                plan_row.c.sku.ilike(like),
                plan_row.c.name.ilike(like),
                plan_row.c.variant_id == f.q,
            )
        )
    return select(*LIST_COLUMNS).where(and_(*where))


async def one_row(
    session: AsyncSession, tenant_id: uuid.UUID, variant_id: str, location_id: str
) -> Any:
    return (
        await session.execute(
            select(plan_row).where(
                plan_row.c.tenant_id == tenant_id,
                plan_row.c.variant_id == variant_id,
                plan_row.c.location_id == location_id,
            )
        )
    ).one_or_none()


async def plan_meta(session: AsyncSession, tenant_id: uuid.UUID) -> Any:
    """(plan_version, plan_id, as_of, computed_at, settings_version, dirty, error) or None."""
    return (
        await session.execute(select(plan_state).where(plan_state.c.tenant_id == tenant_id))
    ).one_or_none()


async def dashboard(session: AsyncSession, tenant_id: uuid.UUID, top: int) -> dict[str, Any]:
    """Counts and values by status, inventory value, demand-weighted service level, urgent rows."""
    c = plan_row.c
    under, over = c.status == "understocked", c.status == "overstocked"
    agg = (
        await session.execute(
            select(
                func.count(),
                func.count().filter(under),
                func.count().filter(over),
                func.coalesce(func.sum(c.shortage_cost).filter(under), 0),
                func.coalesce(func.sum(c.shortage_units).filter(under), 0),
                func.coalesce(func.sum(c.order_qty * c.unit_cost).filter(c.action == "buy"), 0),
                func.coalesce(func.sum(c.excess_value), 0),
                func.coalesce(func.sum(c.excess_units), 0),
                func.coalesce(func.sum(c.inventory_value), 0),
                func.sum(c.projected_service_level * c.demand_ltr_mean)
                / func.nullif(
                    func.sum(
                        case((c.projected_service_level.is_not(None), c.demand_ltr_mean), else_=0)
                    ),
                    0,
                ),
                func.count().filter(c.status == "discontinued"),
                func.count().filter(c.unit_cost.is_(None)),
            ).where(c.tenant_id == tenant_id)
        )
    ).one()
    urgent = await session.execute(
        select(
            c.variant_id,
            c.location_id,
            c.sku,
            c.name,
            c.status,
            c.days_until_stockout,
            c.latest_order_date,
            c.order_qty,
            c.action,
        )
        .where(c.tenant_id == tenant_id, c.order_qty > 0)
        .order_by(
            c.latest_order_date.asc().nulls_last(), c.days_until_stockout.asc().nulls_last(), c.sku
        )
        .limit(top)
    )
    return {"agg": agg, "urgent": [dict(r._mapping) for r in urgent]}
