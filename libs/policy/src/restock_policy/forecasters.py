"""Forecasters for the policy simulation: contract-like arrays from history only.

A forecaster is ``Callable[[history (n, t)], ContractForecast]``: history holds the demand
of periods 0..t-1 (NaN = not yet selling); the forecast's day/period 1 is period t.

* :func:`engine_forecaster` — the default: Restock's forecasting engine
  (``restock_forecasting.forecast_periodic``: backtested model choice and calibrated
  variance; gamma / negative-binomial quantiles via ``restock_forecasting.uncertainty``).
* :func:`panel_forecaster` — the production daily path (``forecast_panel`` → the 365-day
  forecast contract), for daily simulations.
* :func:`ses_forecaster` — a small internal fallback (simple exponential smoothing with
  a normal / Poisson-type spread), used in fast tests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from restock_forecasting.grid import QUANTILE_LEVELS

FloatArr = NDArray[np.float64]


@dataclass(frozen=True)
class ContractForecast:
    """mean: float64 (n, H) per-period mean; cum_quantiles: float64 (n, G, L) over periods
    1..h for h in horizons (G,) at levels (L,); discrete: bool (n,)."""

    mean: FloatArr
    cum_quantiles: FloatArr
    horizons: FloatArr
    levels: FloatArr
    discrete: NDArray[np.bool_]


Forecaster = Callable[[FloatArr], ContractForecast]
LEVELS = np.asarray(QUANTILE_LEVELS, dtype=np.float64)


def _horizons(horizon: int) -> FloatArr:
    return np.arange(1, horizon + 1, dtype=np.float64)


def engine_forecaster(horizon: int, season_length: int, backtest_h: int) -> Forecaster:
    """Adapter to ``restock_forecasting.forecast_periodic`` on equally spaced periods.

    horizon: periods of mean path and quantile grid (1..horizon); season_length: 12 for
    monthly, 52 weekly, 7 daily; backtest_h: periods that matter (lead time + review).
    """
    from restock_forecasting import forecast_periodic
    from restock_forecasting.uncertainty import quantiles

    hz = _horizons(horizon)

    def forecast(history: FloatArr) -> ContractForecast:
        f = forecast_periodic(
            history, horizon=horizon, season_length=season_length, backtest_h=backtest_h
        )
        mu = np.cumsum(f.mean, axis=1)
        q = quantiles(mu, f.cum_variance(hz), f.discrete, LEVELS)
        q = np.maximum.accumulate(q, axis=1)
        return ContractForecast(f.mean, q, hz, LEVELS, np.asarray(f.discrete, bool))

    return forecast


def panel_forecaster(first_day: date, backtest_days: int) -> Forecaster:
    """Adapter to ``restock_forecasting.forecast_panel`` for daily histories.

    first_day: calendar date of column 0; the as-of date of a history of t days is
    first_day + t − 1. Returns the 365-day forecast contract.
    """
    from restock_forecasting import forecast_panel

    def forecast(history: FloatArr) -> ContractForecast:
        as_of = first_day + timedelta(days=history.shape[1] - 1)
        p = forecast_panel(history, as_of=as_of, backtest_horizon_days=backtest_days)
        names = np.asarray(p.class_names)[p.demand_class]
        discrete = np.isin(names, ("intermittent", "lumpy", "new", "dead"))
        hz = np.asarray(p.horizons_days, dtype=np.float64)
        lv = np.asarray(p.levels, dtype=np.float64)
        return ContractForecast(p.mean_daily, p.cum_quantiles, hz, lv, discrete)

    return forecast


def ses_forecaster(horizon: int, alpha: float = 0.2) -> Forecaster:
    """Internal fallback: SES level, variance of cumulative error h σ² (1 + h α / (2 − α)).

    σ² is the one-step in-sample MSE deflated by (1 + α / (2 − α)); integer histories
    with over 30% zeros get negative-binomial (or Poisson) quantiles, others normal
    quantiles floored at 0.
    """
    hz = _horizons(horizon)

    def forecast(history: FloatArr) -> ContractForecast:
        y = np.asarray(history, dtype=np.float64)
        n, t = y.shape
        seen = ~np.isnan(y)
        first = np.where(seen.any(axis=1), np.argmax(seen, axis=1), t)
        level = np.where(first < t, y[np.arange(n), np.minimum(first, t - 1)], 0.0)
        level = np.nan_to_num(level)
        sq = np.zeros(n)
        cnt = np.zeros(n)
        for j in range(t):
            yj = y[:, j]
            ok = ~np.isnan(yj)
            err = np.where(ok, yj - level, 0.0)
            sq += np.where(ok & (j > first), err**2, 0.0)
            cnt += ok & (j > first)
            level = level + alpha * err
        level = np.maximum(level, 0.0)
        sigma2 = sq / np.maximum(cnt, 1) / (1.0 + alpha / (2.0 - alpha))
        mean_c = level[:, None] * hz[None, :]
        var_c = sigma2[:, None] * hz[None, :] * (1.0 + hz[None, :] * alpha / (2.0 - alpha))
        zeros = ((y == 0) & seen).sum(axis=1) / np.maximum(seen.sum(axis=1), 1)
        integer = np.all(np.where(seen, y == np.round(y), True), axis=1)
        discrete = integer & (zeros > 0.3)
        z = stats.norm.ppf(LEVELS)
        q = np.maximum(mean_c[..., None] + np.sqrt(var_c)[..., None] * z, 0.0)
        if np.any(discrete):
            m = np.maximum(mean_c[discrete], 1e-9)[..., None]
            v = np.maximum(var_c[discrete][..., None], m * (1 + 1e-6))
            r = m**2 / (v - m)
            q[discrete] = stats.nbinom.ppf(LEVELS, r, r / (r + m))
        mean = np.repeat(level[:, None], horizon, axis=1)
        return ContractForecast(mean, np.maximum.accumulate(q, axis=1), hz, LEVELS, discrete)

    return forecast
