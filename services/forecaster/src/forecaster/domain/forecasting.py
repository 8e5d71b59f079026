"""Run the engine on an assembled panel and shape one result per series.

The engine's ``as_of`` is the last complete local day (yesterday); its mean path covers
days 1..365 after it, which is the contract's path with day 0 = today.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
from numpy.typing import NDArray

from forecaster.domain.assemble import SeriesPanel
from restock_forecasting import (
    HORIZON_DAYS,
    QUANTILE_HORIZONS_DAYS,
    QUANTILE_LEVELS,
    forecast_panel,
)
from restock_forecasting import explain as engine_explain

BACKTEST_METRIC = "scaled_mae_cum"
"""The engine's selection score: half cumulative, half per-period MAE, MASE-scaled."""

_DISTRIBUTION = {
    "smooth": "gamma",
    "erratic": "gamma",
    "intermittent": "negative_binomial",
    "lumpy": "negative_binomial",
    "new": "negative_binomial",
    "dead": "negative_binomial",
    "discontinued": "poisson",
}


@dataclass(frozen=True)
class SeriesForecast:
    """The statistical forecast of one SKU x location (contract day 0 = ``as_of``)."""

    variant_id: str
    location_id: str
    sku: str | None
    as_of: date
    mean: NDArray[np.float64]
    quantiles: NDArray[np.float64]
    model: str
    params: dict[str, Any]
    candidates: dict[str, float]
    backtest_error: float | None
    bias: float | None
    demand_class: str
    granularity: str
    distribution: str
    backtest_horizon_days: int
    explanation: dict[str, Any]
    outlier_days: list[date]
    history_start: date | None


def _empty(panel: SeriesPanel, i: int, today: date, discontinued: bool) -> SeriesForecast:
    """No demand in the window at all: a zero forecast (class dead or discontinued)."""
    variant, loc = panel.keys[i]
    cls = "discontinued" if discontinued else "dead"
    return SeriesForecast(
        variant,
        loc,
        panel.sku_codes[i],
        today,
        np.zeros(HORIZON_DAYS),
        np.zeros((len(QUANTILE_HORIZONS_DAYS), len(QUANTILE_LEVELS))),
        "zero",
        {},
        {},
        None,
        None,
        cls,
        "W",
        _DISTRIBUTION[cls],
        int(panel.backtest_horizon_days[i]),
        {"model": "zero", "demand_class": cls, "reason": "no demand in the history window"},
        [],
        None,
    )


def run_engine(panel: SeriesPanel, last_day: date) -> list[SeriesForecast]:
    """Forecast every series of ``panel`` whose last column is ``last_day``."""
    n, t = panel.y.shape
    today = last_day + timedelta(days=1)
    start = last_day - timedelta(days=t - 1)
    has = panel.first_sale_idx < t
    rows = np.flatnonzero(has)
    out: dict[int, SeriesForecast] = {
        int(i): _empty(panel, int(i), today, bool(panel.discontinued[i]))
        for i in np.flatnonzero(~has)
    }
    if rows.size:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            f = forecast_panel(
                panel.y[rows],
                panel.censored[rows],
                as_of=last_day,
                first_sale_idx=panel.first_sale_idx[rows],
                category=panel.category[rows],
                discontinued=panel.discontinued[rows],
                backtest_horizon_days=panel.backtest_horizon_days[rows],
            )
        for j, i in enumerate(rows):
            out[int(i)] = _series(panel, int(i), j, f, today, start)
    return [out[i] for i in range(n)]


def _clean(value: Any) -> Any:
    """JSON-safe copy: non-finite floats become None."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def _finite(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def _series(panel: SeriesPanel, i: int, j: int, f: Any, today: date, start: date) -> SeriesForecast:
    variant, loc = panel.keys[i]
    info = _clean(engine_explain(f, j))
    chosen = int(f.model_index[j])
    cls = info["demand_class"]
    first = int(panel.first_sale_idx[i])
    outliers = [start + timedelta(days=int(d)) for d in np.flatnonzero(f.outlier_mask[j])]
    return SeriesForecast(
        variant_id=variant,
        location_id=loc,
        sku=panel.sku_codes[i],
        as_of=today,
        mean=np.maximum(f.mean_daily[j], 0.0),
        quantiles=np.maximum(f.cum_quantiles[j], 0.0),
        model=info["model"],
        params=info["params"],
        candidates=info["candidates"],
        backtest_error=_finite(f.candidate_errors[j, chosen]),
        bias=_finite(f.bias[j]),
        demand_class=cls,
        granularity=str(f.granularity[j]),
        distribution=_DISTRIBUTION.get(cls, "empirical"),
        backtest_horizon_days=int(panel.backtest_horizon_days[i]),
        explanation=info,
        outlier_days=outliers,
        history_start=start + timedelta(days=first),
    )
