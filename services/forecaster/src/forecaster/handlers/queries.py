"""Read side: forecast list, per-SKU explanations, runs; and the full-recompute request."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import numpy as np

from forecaster.adapters import forecasts as store
from forecaster.adapters import history
from forecaster.adapters.dirty import mark_dirty
from forecaster.domain.assemble import assemble
from forecaster.domain.errors import NotFound
from platform_kit.db.uow import UnitOfWork
from platform_kit.http.paging import PageParams, SortKey, apply_sort, paginate
from restock_forecasting import QUANTILE_HORIZONS_DAYS, QUANTILE_LEVELS

INTERVAL_LEVELS = (0.5, 0.8, 0.9, 0.95)


async def list_forecasts(
    uow: UnitOfWork,
    tenant_id: uuid.UUID,
    params: PageParams,
    sort: Sequence[SortKey],
    **filters: Any,
) -> tuple[list[Any], int]:
    stmt = store.list_query(tenant_id, **filters)
    stmt = apply_sort(
        stmt,
        [*sort, SortKey("variant_id", False), SortKey("location_id", False)],
        store.LIST_COLUMNS,
    )
    rows, total = await paginate(uow.session, stmt, params)
    return [dict(r._mapping) for r in rows], total


async def request_recompute(
    uow: UnitOfWork, tenant_id: uuid.UUID, variant_ids: Sequence[str] | None
) -> None:
    """Flag some SKUs (or everything) for recompute at once (trigger ``manual``)."""
    await mark_dirty(
        uow.session,
        tenant_id,
        variant_ids or (),
        trigger="manual",
        ready=True,
        full=not variant_ids,
    )


async def list_runs(uow: UnitOfWork, tenant_id: uuid.UUID, limit: int) -> list[Any]:
    return [dict(r) for r in await store.list_runs(uow.session, tenant_id, limit)]


def _interval(quantiles: list[list[float]]) -> list[dict[str, Any]]:
    levels = list(QUANTILE_LEVELS)
    out = []
    for h, row in zip(QUANTILE_HORIZONS_DAYS, quantiles, strict=True):
        out.append(
            {
                "horizon_days": h,
                **{
                    f"p{round(lv * 1000) / 10:g}": row[levels.index(lv)]
                    for lv in INTERVAL_LEVELS
                    if lv in levels
                },
            }
        )
    return out


async def explain_sku(
    uow: UnitOfWork, tenant_id: uuid.UUID, variant_id: str, location_id: str | None
) -> dict[str, Any]:
    """How each location's forecast of a SKU was made, with the history it used."""
    rows = await store.get_forecast(uow.session, tenant_id, variant_id, location_id)
    if not rows:
        raise NotFound(f"no forecast for SKU {variant_id}")
    overrides = await store.overrides_for(
        uow.session, tenant_id, [(r["variant_id"], r["location_id"]) for r in rows]
    )
    return {
        "variant_id": variant_id,
        "sku": rows[0]["sku"],
        "locations": [await _explain_one(uow, tenant_id, r, overrides) for r in rows],
    }


async def _explain_one(
    uow: UnitOfWork, tenant_id: uuid.UUID, f: Any, overrides: list[Any]
) -> dict[str, Any]:
    last_day = f["as_of"] - timedelta(days=1)
    start = min(f["history_start"] or last_day, last_day)
    raw = await history.load_inputs(uow.session, tenant_id, start, last_day, [f["variant_id"]])
    t = (last_day - start).days + 1
    panel = assemble(
        raw.sales,
        raw.movements,
        raw.snapshots,
        raw.locations,
        raw.skus,
        raw.settings,
        raw.known_series,
        t,
    )
    key = (f["variant_id"], f["location_id"])
    outliers = set(f["outlier_days"])
    daily: list[dict[str, Any]] = []
    if key in panel.keys:
        i = panel.keys.index(key)
        for d in range(t):
            day = start + timedelta(days=d)
            daily.append(
                {
                    "date": day.isoformat(),
                    "demand": float(np.round(panel.y[i, d], 4)),
                    "stockout": bool(panel.censored[i, d]),
                    "outlier": day in outliers,
                }
            )
    mine = [o for o in overrides if (o["variant_id"], o["location_id"]) == key]
    adjusted_mean = f["mean_daily"]
    return {
        "location_id": f["location_id"],
        "forecast_run_id": f["run_id"],
        "as_of": f["as_of"],
        "model": f["model"],
        "model_params": f["model_params"],
        "candidates": f["candidates"],
        "backtest": {
            "metric": "scaled_mae_cum",
            "value": f["backtest_error"],
            "bias": f["bias"],
            "horizon_days": f["backtest_horizon_days"],
        },
        "demand_class": f["demand_class"],
        "granularity": f["granularity"],
        "distribution": f["distribution"],
        "explanation": f["explanation"],
        "stockout_days": sorted(d["date"] for d in daily if d["stockout"]),
        "outlier_days": sorted(d.isoformat() for d in outliers),
        "history": daily,
        "statistical": {
            "mean_daily": f["stat_mean_daily"],
            "interval": _interval(f["stat_quantiles"]),
        },
        "adjusted": None
        if adjusted_mean is None
        else {"mean_daily": adjusted_mean, "interval": _interval(f["cum_quantiles"])},
        "overrides": [dict(o) for o in mine],
        "quantile_horizons_days": list(QUANTILE_HORIZONS_DAYS),
        "quantile_levels": list(QUANTILE_LEVELS),
        "stat_cumulative_quantiles": f["stat_quantiles"],
        "published_cumulative_quantiles": f["cum_quantiles"] or f["stat_quantiles"],
    }
