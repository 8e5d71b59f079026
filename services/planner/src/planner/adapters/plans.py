"""Plan rows: written in bulk (COPY) per plan version, read with filters, sort and paging."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import (
    ARRAY,
    Boolean,
    Select,
    String,
    Text,
    and_,
    any_,
    bindparam,
    case,
    delete,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.ext.asyncio import AsyncSession

from planner.adapters.orm import PLAN_FLOATS, PLAN_TEXTS, plan_row, plan_row_detail, plan_state

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
)
DETAIL_COLUMNS = (
    "tenant_id",
    "variant_id",
    "location_id",
    "explanation",
    "settings",
    "settings_hash",
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
        select(
            plan_row_detail.c.variant_id,
            plan_row_detail.c.location_id,
            plan_row_detail.c.settings_hash,
        ).where(plan_row_detail.c.tenant_id == tenant_id)
    )
    return {(r[0], r[1]): r[2] for r in rows}


async def replace_rows(
    session: AsyncSession, tenant_id: uuid.UUID, version: int, columns: dict[str, Any]
) -> None:
    """Swap the tenant's plan rows and their details for ``columns`` (one plan version)
    with COPY."""
    await session.execute(delete(plan_row).where(plan_row.c.tenant_id == tenant_id))
    await session.execute(delete(plan_row_detail).where(plan_row_detail.c.tenant_id == tenant_id))
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
    for name in ("explanation", "settings_hash"):
        data[name] = [str(v) for v in columns[name]]
    conn = await session.connection()
    raw = await conn.get_raw_connection()
    driver: Any = raw.driver_connection
    for table, names in (("plan_row", COPY_COLUMNS), ("plan_row_detail", DETAIL_COLUMNS)):
        records = list(zip(*(data[c] for c in names), strict=True))
        await driver.copy_records_to_table(table, records=records, columns=list(names))


LIST_COLUMNS = list(plan_row.c)
"""Columns of list queries (explanations and settings documents live in ``plan_row_detail``)."""


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

    def shape(self) -> tuple[bool, ...]:
        """Which filters are set: one SQL text per shape, whatever the values."""
        return (
            bool(self.supplier_id),
            bool(self.category),
            bool(self.location_id),
            bool(self.status),
            bool(self.action),
            self.needs_order is not None,
            bool(self.q),
        )


def conditions(shape: tuple[bool, ...]) -> Any:
    """WHERE clause of a filter shape over bound parameters (``filter_params`` fills them)."""
    c = plan_row.c
    supplier, category, loc, status, action, needs_order, q = shape
    where = [c.tenant_id == bindparam("tenant_id", type_=UUID(as_uuid=True))]
    if supplier:
        where.append(c.supplier_id == bindparam("supplier_id", type_=Text))
    if category:
        where.append(c.category == bindparam("category", type_=Text))
    if loc:
        where.append(c.location_id == bindparam("location_id", type_=String))
    if status:
        where.append(c.status == any_(bindparam("status", type_=ARRAY(Text))))
    if action:
        where.append(c.action == bindparam("action", type_=Text))
    if needs_order:
        where.append((c.order_qty > literal_column("0")) == bindparam("needs_order", type_=Boolean))
    if q:
        like = bindparam("q_like", type_=Text)
        where.append(
            or_(c.sku.ilike(like), c.name.ilike(like), c.variant_id == bindparam("q", type_=String))
        )
    return and_(*where)


def filter_params(tenant_id: uuid.UUID, f: PlanFilter) -> dict[str, Any]:
    """Values of the parameters ``conditions(f.shape())`` binds."""
    values: dict[str, Any] = {
        "tenant_id": tenant_id,
        "supplier_id": f.supplier_id,
        "category": f.category,
        "location_id": f.location_id,
        "status": list(f.status),
        "action": f.action,
        "needs_order": f.needs_order,
        "q": f.q,
    }
    if f.q:
        escaped = f.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        values["q_like"] = f"%{escaped}%"
    return values


def filtered(tenant_id: uuid.UUID, f: PlanFilter) -> Select[Any]:
    """SELECT of the tenant's plan rows (list columns) matching ``f``."""
    stmt = select(*LIST_COLUMNS).where(conditions(f.shape()))
    return stmt.params(filter_params(tenant_id, f))


SORT_COLUMNS = {name: plan_row.c[name] for name in (*SORTABLE, "variant_id", "location_id")}


def with_details(stmt: Select[Any]) -> Select[Any]:
    """``stmt`` over ``plan_row`` plus each row's explanation and settings document."""
    d = plan_row_detail.c
    return stmt.add_columns(d.explanation, d.settings).outerjoin(
        plan_row_detail,
        and_(
            d.tenant_id == plan_row.c.tenant_id,
            d.variant_id == plan_row.c.variant_id,
            d.location_id == plan_row.c.location_id,
        ),
    )


async def one_row(
    session: AsyncSession, tenant_id: uuid.UUID, variant_id: str, location_id: str
) -> Any:
    """One plan row with its explanation and settings document, or None."""
    return (
        await session.execute(
            with_details(select(plan_row)).where(
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
