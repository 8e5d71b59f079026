"""Daily panel engine: clean, classify, aggregate, select, forecast, calibrate.

:func:`forecast_panel` produces the forecast contract for n SKU x location series:
a daily mean path over 365 days and quantiles of cumulative demand on the
:mod:`restock_forecasting.grid` horizons and levels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
from numpy.typing import NDArray

from . import classify as cl
from .calibration import cap_quantiles
from .cleaning import cap_daily, cap_outliers, mask_unknown, to_buckets
from .engine import CANDIDATES, PeriodicForecast, forecast_periodic
from .grid import HORIZON_DAYS, QUANTILE_HORIZONS_DAYS, QUANTILE_LEVELS
from .seasonality import weekday_profile
from .uncertainty import quantiles

F64 = NDArray[np.float64]
IP = NDArray[np.intp]

WEEK, MONTH = 7, 28
SLOW_ADI_WEEKS = 3.0
SLOW_MEAN_PER_WEEK = 0.5
DEFAULT_BACKTEST_DAYS = 35
WEEK_QUANTILE_WEEKS = 13
WEEK_QUANTILE_LEVELS: tuple[float, ...] = (0.1, 0.5, 0.9)


@dataclass(frozen=True)
class PanelForecast:
    """Forecast contract and explanation data for n series (T history days).

    mean_daily: float64 (n, 365) expected demand for days 1..365 after ``as_of``.
    cum_quantiles: float64 (n, G, L) quantiles of demand summed over days 1..h for
    h in ``horizons_days`` (G) and ``levels`` (L); non-decreasing in h and level, >= 0.
    model_index: int (n,) into model_names; candidate_errors: float64 (n, C) backtest
    score per candidate (NaN = not a candidate); bias: float64 (n,) scaled backtest bias.
    demand_class: int8 (n,) into class_names; granularity: '<U1' (n,) 'W' or 'M'
    (4-week buckets); bucket_days: int (n,). seasonal_index: float64 (n, 52) by week of
    year (week 0 = Jan 1-7); seasonal_strength: float64 (n,) weight on the series' own
    profile; weekday_profile: float64 (n, 7) Monday first, mean 1.
    trend: float64 (n,) units/day per day; alpha, k_cum, k_step: float64 (n,).
    outlier_mask: bool (n, T) capped days; censored_days, history_days: int (n,);
    adi, cv2: float64 (n,) on weekly buckets.
    week_quantiles: float64 (n, 13, 3) quantiles (``WEEK_QUANTILE_LEVELS`` 0.1, 0.5, 0.9)
    of demand in each of the next 13 weeks (days 7k+1..7k+7) from the per-period
    calibrated variance (4-week buckets: variance split by the week's share of the bucket).
    """

    as_of: date
    mean_daily: F64
    cum_quantiles: F64
    horizons_days: tuple[int, ...]
    levels: tuple[float, ...]
    model_index: IP
    model_names: tuple[str, ...]
    candidate_errors: F64
    bias: F64
    demand_class: NDArray[np.int8]
    class_names: tuple[str, ...]
    granularity: NDArray[np.str_]
    bucket_days: IP
    seasonal_index: F64
    seasonal_strength: F64
    weekday_profile: F64
    trend: F64
    alpha: F64
    k_cum: F64
    k_step: F64
    outlier_mask: NDArray[np.bool_]
    censored_days: IP
    history_days: IP
    adi: F64
    cv2: F64
    week_quantiles: F64


def _calendar_weeks(sidx: F64, m: int, length: int, n_buckets: int, as_of: date) -> F64:
    """Map (n, m) indices by absolute bucket phase to (n, 52) by week of year."""
    cols = []
    for w in range(52):
        day = date(as_of.year, 1, 1) + timedelta(days=7 * w + 3)
        back = (as_of - day).days % 364
        cols.append((n_buckets - 1 - back // length) % m)
    return sidx[:, cols]


def forecast_panel(
    y: F64,
    censored: NDArray[np.bool_] | None = None,
    *,
    as_of: date,
    first_sale_idx: IP | None = None,
    category: IP | None = None,
    discontinued: NDArray[np.bool_] | None = None,
    backtest_horizon_days: IP | int = DEFAULT_BACKTEST_DAYS,
    n_origins: int = 3,
) -> PanelForecast:
    """Forecast n daily demand series.

    y: float64 (n, T) daily demand, column T-1 = ``as_of`` (NaN = unknown);
    censored: bool (n, T) stock-out days (demand unknown, not zero);
    first_sale_idx: int (n,) first column with history; category: int (n,) >= 0 for
    pooled seasonal profiles; discontinued: bool (n,) -> zero forecast;
    backtest_horizon_days: int (n,) or scalar, lead time + review period.
    """
    y = np.asarray(y, dtype=float)
    n, t = y.shape
    cat = np.zeros(n, np.intp) if category is None else np.asarray(category, np.intp)
    bh = np.broadcast_to(np.asarray(backtest_horizon_days, np.intp), (n,))
    disc = np.zeros(n, bool) if discontinued is None else np.asarray(discontinued, bool)
    start_wd = (as_of - timedelta(days=t - 1)).weekday()
    yd = mask_unknown(y, censored, first_sale_idx)
    prof, _ = weekday_profile(yd, start_wd)
    dw = prof[:, (start_wd + np.arange(t)) % 7]
    wb = to_buckets(yd, WEEK, dw)
    capped, flags = cap_outliers(wb)
    yd, outlier_mask = cap_daily(yd, WEEK, flags, capped, wb)
    prof, _ = weekday_profile(yd, start_wd)
    dw = prof[:, (start_wd + np.arange(t)) % 7]
    wb = to_buckets(yd, WEEK, dw)
    cls = cl.classify(wb, min_periods=13, dead_periods=26, discontinued=disc)
    adi, cv2 = cl.adi_cv2(wb)
    mean_w = np.nan_to_num(np.nanmean(np.where(np.isnan(wb), np.nan, wb), axis=1))
    slow = np.isin(cls, (cl.INTERMITTENT, cl.LUMPY)) & (
        (adi >= SLOW_ADI_WEEKS) | (mean_w < SLOW_MEAN_PER_WEEK)
    )
    bucket = np.where(slow, MONTH, WEEK).astype(np.intp)
    nl = len(QUANTILE_LEVELS)
    hz = np.asarray(QUANTILE_HORIZONS_DAYS)
    mean_daily = np.zeros((n, HORIZON_DAYS))
    cq = np.zeros((n, hz.size, nl))
    wq = np.zeros((n, WEEK_QUANTILE_WEEKS, len(WEEK_QUANTILE_LEVELS)))
    nc = len(CANDIDATES)
    res: dict[str, Any] = {
        "model_index": np.zeros(n, np.intp),
        "candidate_errors": np.full((n, nc), np.nan),
        "bias": np.full(n, np.nan),
        "trend": np.zeros(n),
        "alpha": np.zeros(n),
        "k_cum": np.ones(n),
        "k_step": np.ones(n),
        "seasonal_strength": np.zeros(n),
    }
    sidx_cal = np.ones((n, 52))
    fut_wd = (as_of.weekday() + 1 + np.arange(HORIZON_DAYS)) % 7
    for length, m in ((WEEK, 52), (MONTH, 13)):
        rows = np.flatnonzero(bucket == length)
        if rows.size == 0:
            continue
        yb = wb[rows] if length == WEEK else to_buckets(yd[rows], MONTH, dw[rows])
        sub_cls = cls[rows]
        if length == MONTH:
            sub_cls = cl.classify(yb, min_periods=4, dead_periods=7)
            keep = np.isin(cls[rows], (cl.NEW, cl.DEAD, cl.DISCONTINUED))
            sub_cls[keep] = cls[rows][keep]
        hp = math.ceil(HORIZON_DAYS / length) + 1
        f = forecast_periodic(
            yb,
            horizon=hp,
            season_length=m,
            backtest_h=np.ceil(bh[rows] / length).astype(np.intp),
            category=cat[rows],
            demand_class=sub_cls,
            n_origins=n_origins,
            origin_step=max(int(np.ceil(bh[rows].max() / length)) // 3, 4 if length == WEEK else 2),
        )
        md = f.mean[:, np.arange(HORIZON_DAYS) // length] / length * prof[rows][:, fut_wd]
        mean_daily[rows] = md
        cq[rows] = _cum_quantiles(f, md, hz, length, cls[rows])
        wq[rows] = _week_quantiles(f, md, length, cls[rows])
        for key in res:
            val = getattr(f, key) if key != "trend" else f.trend / length / length
            res[key][rows] = val
        sidx_cal[rows] = _calendar_weeks(f.seasonal_index, m, length, yb.shape[1], as_of)
    known = ~np.isnan(yd)
    return PanelForecast(
        as_of=as_of,
        mean_daily=mean_daily,
        cum_quantiles=cq,
        horizons_days=QUANTILE_HORIZONS_DAYS,
        levels=QUANTILE_LEVELS,
        model_names=CANDIDATES,
        demand_class=cls,
        class_names=cl.CLASS_NAMES,
        granularity=np.where(bucket == MONTH, "M", "W"),
        bucket_days=bucket,
        seasonal_index=sidx_cal,
        weekday_profile=prof,
        outlier_mask=outlier_mask,
        censored_days=(np.zeros((n, t), bool) if censored is None else np.asarray(censored))
        .sum(axis=1)
        .astype(np.intp),
        history_days=known.sum(axis=1).astype(np.intp),
        adi=adi,
        cv2=cv2,
        week_quantiles=wq,
        **res,
    )


def _cum_quantiles(
    f: PeriodicForecast, md: F64, hz: NDArray[np.int_], length: int, cls: NDArray[np.int8]
) -> F64:
    """float64 (n, G, L) quantiles of cumulative demand at the grid horizons."""
    mu = np.cumsum(md, axis=1)[:, hz - 1]
    var = f.cum_variance(hz / length)
    discrete = np.isin(cls, (cl.INTERMITTENT, cl.LUMPY, cl.NEW, cl.DEAD))
    levels = np.asarray(QUANTILE_LEVELS)
    nominal = quantiles(mu, var, discrete, levels)
    q = cap_quantiles(quantiles(mu, var, discrete, f.cum_levels(levels)), nominal)
    q[cls == cl.DISCONTINUED] = 0.0
    return np.maximum.accumulate(q, axis=1)


def _week_quantiles(f: PeriodicForecast, md: F64, length: int, cls: NDArray[np.int8]) -> F64:
    """float64 (n, W, 3) quantiles of each of the next W weeks' demand."""
    nw = WEEK_QUANTILE_WEEKS
    mu = md[:, : nw * WEEK].reshape(md.shape[0], nw, WEEK).sum(axis=2)
    bucket_of_week = np.arange(nw) * WEEK // length
    share = mu / np.maximum(f.mean[:, bucket_of_week], 1e-12)
    var = f.step_variance()[:, bucket_of_week] * np.clip(share, 0.0, 1.0)
    discrete = np.isin(cls, (cl.INTERMITTENT, cl.LUMPY, cl.NEW, cl.DEAD))
    q = quantiles(mu, var, discrete, np.asarray(WEEK_QUANTILE_LEVELS))
    q[cls == cl.DISCONTINUED] = 0.0
    return q


def explain(panel: PanelForecast, i: int) -> dict[str, Any]:
    """JSON-friendly explanation of series ``i``: model, candidates, class, profiles."""
    errs = panel.candidate_errors[i]
    return {
        "model": panel.model_names[int(panel.model_index[i])],
        "params": {
            "alpha": float(panel.alpha[i]),
            "trend_per_day": float(panel.trend[i]),
            "calibration_k_cum": float(panel.k_cum[i]),
            "calibration_k_step": float(panel.k_step[i]),
        },
        "candidates": {
            panel.model_names[c]: float(errs[c]) for c in range(errs.size) if np.isfinite(errs[c])
        },
        "backtest_bias": None if np.isnan(panel.bias[i]) else float(panel.bias[i]),
        "demand_class": panel.class_names[int(panel.demand_class[i])],
        "adi": float(panel.adi[i]) if np.isfinite(panel.adi[i]) else None,
        "cv2": float(panel.cv2[i]),
        "granularity": str(panel.granularity[i]),
        "seasonal_index_by_week": [round(float(v), 4) for v in panel.seasonal_index[i]],
        "seasonal_strength": float(panel.seasonal_strength[i]),
        "weekday_profile": [round(float(v), 4) for v in panel.weekday_profile[i]],
        "outlier_days": int(panel.outlier_mask[i].sum()),
        "stockout_days": int(panel.censored_days[i]),
        "history_days_used": int(panel.history_days[i]),
        "mean_next_28_days": float(panel.mean_daily[i, :28].sum()),
    }
