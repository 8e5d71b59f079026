"""Reads of one tenant's forecast inputs, aggregated in Postgres into per-series arrays.

Sales lines are summed per (variant, location, status, local day) and returned as one
row per (variant, location, status) with ``int[]`` day offsets and ``float8[]`` signed
quantities, so millions of lines cross the wire as a few thousand array rows.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from forecaster.adapters.orm import forecast, location, series_setting, sku
from forecaster.domain.assemble import Observations
from forecaster.domain.locations import LocationInfo


@dataclass
class RawInputs:
    """Everything a run reads for one tenant (``variants`` None = all)."""

    start: date
    end: date
    sales: list[Observations]
    movements: list[Observations]
    snapshots: list[Observations]
    locations: dict[str, LocationInfo]
    skus: dict[str, tuple[str | None, str | None, bool]]
    settings: dict[tuple[str, str], tuple[int, list[str]]]
    known_series: list[tuple[str, str]]


def _variant_filter(variants: Sequence[str] | None, column: str = "variant_id") -> str:
    return "" if variants is None else f" and {column} = any(cast(:v as varchar[]))"


async def first_day(
    session: AsyncSession, tenant_id: uuid.UUID, variants: Sequence[str] | None
) -> date | None:
    sql = "select min(day) from sales_line where tenant_id = :t" + _variant_filter(variants)
    value = await session.execute(text(sql), {"t": tenant_id, "v": list(variants or [])})
    return value.scalar_one_or_none()


async def load_inputs(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    start: date,
    end: date,
    variants: Sequence[str] | None,
) -> RawInputs:
    """Aggregated sales, stock history, catalog, locations and settings for a run."""
    params = {"t": tenant_id, "s": start, "e": end, "v": list(variants or [])}
    vf = _variant_filter(variants)
    sales_sql = (
        "select variant_id, location_id, status, array_agg(d order by d), array_agg(q order by d) "
        "from (select variant_id, location_id, status, (day - cast(:s as date)) as d, "
        "sum(case when is_return then -quantity else quantity end)::float8 as q "
        "from sales_line where tenant_id = :t and day >= :s and day <= :e"
        + vf
        + " group by 1, 2, 3, 4) g group by 1, 2, 3"
    )
    sales = [
        Observations(r[0], r[1], r[2], np.asarray(r[3], np.intp), np.asarray(r[4], float))
        for r in await session.execute(text(sales_sql), params)
    ]
    mov_sql = (
        "select variant_id, location_id, array_agg(day - cast(:s as date)), "
        "array_agg(extract(epoch from movement_at)::float8), array_agg(balance_after::float8) "
        "from stock_movement where tenant_id = :t and day <= :e" + vf + " group by 1, 2"
    )
    movements = [
        Observations(
            r[0],
            r[1],
            "",
            np.asarray(r[2], np.intp),
            np.asarray(r[4], float),
            np.asarray(r[3], float),
        )
        for r in await session.execute(text(mov_sql), params)
    ]
    snap_sql = (
        "select variant_id, location_id, array_agg(day - cast(:s as date)), "
        "array_agg(extract(epoch from as_of)::float8), array_agg(on_hand::float8) "
        "from stock_snapshot where tenant_id = :t and day <= :e" + vf + " group by 1, 2"
    )
    snapshots = [
        Observations(
            r[0],
            r[1],
            "",
            np.asarray(r[2], np.intp),
            np.asarray(r[4], float),
            np.asarray(r[3], float),
        )
        for r in await session.execute(text(snap_sql), params)
    ]
    locs = {
        r.location_id: LocationInfo(r.location_id, r.is_sales_only, r.purchasing_location_id)
        for r in await session.execute(
            select(
                location.c.location_id, location.c.is_sales_only, location.c.purchasing_location_id
            ).where(location.c.tenant_id == tenant_id, location.c.deleted.is_(False))
        )
    }
    sku_q = select(
        sku.c.variant_id, sku.c.sku, sku.c.category, sku.c.discontinued, sku.c.deleted
    ).where(sku.c.tenant_id == tenant_id)
    set_q = select(
        series_setting.c.variant_id,
        series_setting.c.location_id,
        series_setting.c.backtest_horizon_days,
        series_setting.c.demand_statuses,
    ).where(series_setting.c.tenant_id == tenant_id)
    known_q = select(forecast.c.variant_id, forecast.c.location_id).where(
        forecast.c.tenant_id == tenant_id
    )
    if variants is not None:
        sku_q = sku_q.where(sku.c.variant_id.in_(variants))
        set_q = set_q.where(series_setting.c.variant_id.in_(variants))
        known_q = known_q.where(forecast.c.variant_id.in_(variants))
    skus = {r[0]: (r[1], r[2], bool(r[3] or r[4])) for r in await session.execute(sku_q)}
    settings = {(r[0], r[1]): (int(r[2]), list(r[3])) for r in await session.execute(set_q)}
    known = [(r[0], r[1]) for r in await session.execute(known_q)]
    return RawInputs(start, end, sales, movements, snapshots, locs, skus, settings, known)
