"""Assemble the engine's inputs for one tenant from aggregated observations.

Series are (variant, purchasing location): sales-only locations are rolled into their
purchasing location first. Each series gets its demand-status policy and backtest
horizon from the planner's effective settings (documented defaults until they arrive).
Stock-out days come from the series location's movements when it has any, else from its
stock-level snapshots. A previously forecast (variant, location) whose location now rolls
up into another one is not a series any more: it is listed as a :class:`Retraction`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from forecaster.domain.demand import (
    ALL_STATUSES,
    DEFAULT_BACKTEST_HORIZON_DAYS,
    DEFAULT_DEMAND_STATUSES,
    build_panel,
    policy_mask,
)
from forecaster.domain.locations import LocationInfo, resolve, rollup_map
from forecaster.domain.stockouts import stockout_days


@dataclass(frozen=True)
class Observations:
    """Observations of one (variant, location[, status]) as arrays.

    days: int (m,) day offsets from the panel's first day; values: float (m,) signed
    demand (sales) or stock after the observation (stock history); order: float (m,)
    instant used to order observations within a day (stock history only).
    """

    variant_id: str
    location_id: str
    status: str
    days: NDArray[np.intp]
    values: NDArray[np.float64]
    order: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))


@dataclass(frozen=True)
class Retraction:
    """A stale forecast of a location that turned out to be sales-only (merged)."""

    variant_id: str
    location_id: str
    merged_into: str
    sku: str | None


@dataclass(frozen=True)
class SeriesPanel:
    """Engine inputs for n series over t days (see ``restock_forecasting.forecast_panel``)."""

    keys: list[tuple[str, str]]
    sku_codes: list[str | None]
    y: NDArray[np.float64]
    censored: NDArray[np.bool_]
    first_sale_idx: NDArray[np.intp]
    category: NDArray[np.intp]
    discontinued: NDArray[np.bool_]
    backtest_horizon_days: NDArray[np.intp]
    retractions: list[Retraction] = field(default_factory=list)


def _concat(
    groups: Sequence[Observations],
    index: Mapping[tuple[str, str], int],
    rollup: Mapping[str, str] | None,
) -> tuple[Any, ...]:
    rows, days, values, order, status = [], [], [], [], []
    for g in groups:
        loc = resolve(g.location_id, rollup) if rollup is not None else g.location_id
        i = index.get((g.variant_id, loc))
        if i is None:
            continue
        rows.append(np.full(g.days.size, i, np.intp))
        days.append(g.days)
        values.append(g.values)
        order.append(g.order if g.order.size == g.days.size else np.zeros(g.days.size))
        code = ALL_STATUSES.index(g.status) if g.status in ALL_STATUSES else 0
        status.append(np.full(g.days.size, code, np.intp))
    if not rows:
        empty_i, empty_f = np.zeros(0, np.intp), np.zeros(0)
        return empty_i, empty_i, empty_f, empty_f, empty_i
    return (
        np.concatenate(rows),
        np.concatenate(days),
        np.concatenate(values),
        np.concatenate(order),
        np.concatenate(status),
    )


def assemble(
    sales: Sequence[Observations],
    movements: Sequence[Observations],
    snapshots: Sequence[Observations],
    locations: Mapping[str, LocationInfo],
    skus: Mapping[str, tuple[str | None, str | None, bool]],
    settings: Mapping[tuple[str, str], tuple[int, list[str]]],
    known_series: Sequence[tuple[str, str]],
    t: int,
) -> SeriesPanel:
    """Build the (n, t) panel; ``skus`` maps variant -> (sku code, category, discontinued)."""
    rollup = rollup_map(locations)
    retractions = [
        Retraction(v, loc, resolve(loc, rollup), skus.get(v, (None, None, False))[0])
        for v, loc in sorted(set(known_series))
        if resolve(loc, rollup) != loc
    ]
    merged = {(r.variant_id, r.location_id) for r in retractions}
    keys = sorted(
        {(g.variant_id, resolve(g.location_id, rollup)) for g in sales}
        | (set(known_series) - merged)
    )
    index = {k: i for i, k in enumerate(keys)}
    n = len(keys)
    policies = np.empty((n, len(ALL_STATUSES)), bool)
    horizons = np.empty(n, np.intp)
    default_policy = policy_mask(DEFAULT_DEMAND_STATUSES)
    for i, key in enumerate(keys):
        bh, statuses = settings.get(key, (DEFAULT_BACKTEST_HORIZON_DAYS, []))
        policies[i] = policy_mask(statuses) if statuses else default_policy
        horizons[i] = bh if bh >= 1 else DEFAULT_BACKTEST_HORIZON_DAYS
    s_rows, s_days, s_vals, _, s_status = _concat(sales, index, rollup)
    panel = build_panel(s_rows, s_days, s_status, s_vals, policies, n, t)
    m_rows, m_days, m_vals, m_order, _ = _concat(movements, index, None)
    censored = stockout_days(m_rows, m_days, m_order, m_vals, n, t)
    has_movements = np.zeros(n, bool)
    has_movements[m_rows] = True
    p_rows, p_days, p_vals, p_order, _ = _concat(snapshots, index, None)
    from_snapshots = stockout_days(p_rows, p_days, p_order, p_vals, n, t)
    censored = np.where(has_movements[:, None], censored, from_snapshots)
    categories: dict[str | None, int] = {}
    cat = np.array(
        [
            categories.setdefault(skus.get(v, (None, None, False))[1], len(categories))
            for v, _ in keys
        ],
        dtype=np.intp,
    )
    disc = np.array([skus.get(v, (None, None, False))[2] for v, _ in keys], dtype=bool)
    codes = [skus.get(v, (None, None, False))[0] for v, _ in keys]
    return SeriesPanel(
        keys,
        codes,
        panel.y,
        censored.reshape(n, t),
        panel.first_sale_idx,
        cat.reshape(n),
        disc.reshape(n),
        horizons,
        retractions,
    )
