"""Vectorised forecasting models over a panel of equally spaced series.

Every model takes ``y: float64 (n, P)`` where NaN marks an unknown period (stock-out,
before first sale) and returns a :class:`Fit` with a flat-or-trended ``mean (n, h)``.
Recursions loop over time with the state held as vectors across series (and across a
small parameter grid, chosen per series by in-sample one-step squared error).
NaN periods leave the state unchanged and add no error.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

F64 = NDArray[np.float64]

SES_ALPHAS: tuple[float, ...] = (0.03, 0.07, 0.12, 0.2, 0.3, 0.45, 0.65, 0.9)
HOLT_ALPHAS: tuple[float, ...] = (0.05, 0.1, 0.2, 0.35, 0.55)
HOLT_BETAS: tuple[float, ...] = (0.02, 0.1)
HOLT_PHIS: tuple[float, ...] = (0.85, 0.95)
INTERMITTENT_ALPHA = 0.1
WARMUP = 3


@dataclass(frozen=True)
class Fit:
    """Result of one model on a panel.

    mean: float64 (n, h) point forecast per future period (>= 0).
    mse: float64 (n,) in-sample one-step mean squared error.
    alpha: float64 (n,) level smoothing weight (drives the growth of forecast variance).
    trend: float64 (n,) per-period slope of the forecast at step 1 (0 for level models).
    """

    mean: F64
    mse: F64
    alpha: F64
    trend: F64


def valid_mask(y: F64) -> NDArray[np.bool_]:
    """bool (n, P): periods with a known value."""
    return ~np.isnan(y)


def first_values_mean(y: F64, k: int = 6) -> F64:
    """float64 (n,): mean of the first ``k`` known values (0 when none)."""
    ok = valid_mask(y)
    first = ok & (np.cumsum(ok, axis=1) <= k)
    cnt = first.sum(axis=1)
    return np.where(first, y, 0.0).sum(axis=1) / np.maximum(cnt, 1)


def ols_line(y: F64) -> tuple[F64, F64]:
    """NaN-aware least-squares line over t = 0..P-1: (intercept (n,), slope (n,))."""
    ok = valid_mask(y)
    t = np.arange(y.shape[1], dtype=float)[None, :]
    cnt = np.maximum(ok.sum(axis=1), 1)
    tm = np.where(ok, t, 0.0).sum(axis=1) / cnt
    ym = np.where(ok, y, 0.0).sum(axis=1) / cnt
    dt = np.where(ok, t - tm[:, None], 0.0)
    dy = np.where(ok, y - ym[:, None], 0.0)
    sxx = (dt * dt).sum(axis=1)
    slope = np.where(sxx > 0, (dt * dy).sum(axis=1) / np.maximum(sxx, 1e-12), 0.0)
    return ym - slope * tm, slope


def _pick(sse: F64, values: F64) -> tuple[NDArray[np.intp], F64]:
    best = np.argmin(sse, axis=1)
    return best, values[best]


def _ses_states(y: F64, alphas: F64, level0: F64) -> tuple[F64, F64, F64]:
    """Run SES for a grid of alphas: final level (n, A), sse (n, A), error count (n,)."""
    level = np.repeat(level0[:, None], alphas.size, axis=1)
    sse = np.zeros_like(level)
    seen = np.zeros(y.shape[0])
    a = alphas[None, :]
    for t in range(y.shape[1]):
        yt = y[:, t : t + 1]
        ok = ~np.isnan(yt)
        err = np.where(ok, yt - level, 0.0)
        use = ok & (seen[:, None] >= WARMUP)
        sse += np.where(use, err * err, 0.0)
        level = level + a * err
        seen += ok[:, 0]
    return level, sse, np.maximum(seen - WARMUP, 1)


def ses(y: F64, h: int, alphas: tuple[float, ...] = SES_ALPHAS) -> Fit:
    """Simple exponential smoothing, alpha chosen per series from ``alphas``."""
    al = np.asarray(alphas, dtype=float)
    level, sse, cnt = _ses_states(y, al, first_values_mean(y))
    best, alpha = _pick(sse, al)
    rows = np.arange(y.shape[0])
    lvl = np.maximum(level[rows, best], 0.0)
    return Fit(
        mean=np.repeat(lvl[:, None], h, axis=1),
        mse=sse[rows, best] / cnt,
        alpha=alpha,
        trend=np.zeros(y.shape[0]),
    )


def holt_damped(y: F64, h: int) -> Fit:
    """Additive damped-trend exponential smoothing (ETS A,Ad,N) over a parameter grid.

    State: level l, trend b. One-step forecast l + phi*b; error e;
    l <- l + phi*b + alpha*e; b <- phi*b + alpha*beta*e.
    h-step forecast: l + (phi + ... + phi^j) * b.
    """
    grid = np.array([(a, b, p) for a in HOLT_ALPHAS for b in HOLT_BETAS for p in HOLT_PHIS])
    a, bta, phi = grid[:, 0][None, :], (grid[:, 0] * grid[:, 1])[None, :], grid[:, 2][None, :]
    n = y.shape[0]
    icpt, slope = ols_line(y)
    level = np.repeat(icpt[:, None], grid.shape[0], axis=1)
    trend = np.repeat(slope[:, None], grid.shape[0], axis=1)
    sse = np.zeros_like(level)
    seen = np.zeros(n)
    for t in range(y.shape[1]):
        yt = y[:, t : t + 1]
        ok = ~np.isnan(yt)
        pred = level + phi * trend
        err = np.where(ok, yt - pred, 0.0)
        sse += np.where(ok & (seen[:, None] >= WARMUP), err * err, 0.0)
        level = pred + a * err
        trend = phi * trend + bta * err
        seen += ok[:, 0]
    best = np.argmin(sse, axis=1)
    rows = np.arange(n)
    lv, tr, ph = level[rows, best], trend[rows, best], grid[best, 2]
    steps = np.arange(1, h + 1)[None, :]
    damp = ph[:, None] * (1 - ph[:, None] ** steps) / (1 - ph[:, None])
    return Fit(
        mean=np.maximum(lv[:, None] + damp * tr[:, None], 0.0),
        mse=sse[rows, best] / np.maximum(seen - WARMUP, 1),
        alpha=grid[best, 0],
        trend=ph * tr,
    )


def theta(y: F64, h: int) -> Fit:
    """Standard Theta method: SES plus half the least-squares drift (Hyndman-Billah form)."""
    base = ses(y, h)
    _, slope = ols_line(y)
    n_obs = np.maximum(valid_mask(y).sum(axis=1), 1)
    al = base.alpha[:, None]
    steps = np.arange(h)[None, :]
    drift = 0.5 * slope[:, None] * (steps + 1.0 / al - (1 - al) ** n_obs[:, None] / al)
    return Fit(
        mean=np.maximum(base.mean + drift, 0.0),
        mse=base.mse,
        alpha=base.alpha,
        trend=0.5 * slope,
    )


def moving_average(y: F64, h: int, window: int) -> Fit:
    """Mean of the last ``window`` periods (known values only)."""
    ok = valid_mask(y)
    ys = np.concatenate([np.zeros((y.shape[0], 1)), np.cumsum(np.where(ok, y, 0.0), 1)], 1)
    cs = np.concatenate([np.zeros((y.shape[0], 1)), np.cumsum(ok, 1)], 1)
    lo = np.maximum(np.arange(y.shape[1] + 1) - window, 0)
    ma = (ys - ys[:, lo]) / np.maximum(cs - cs[:, lo], 1)
    has = (cs - cs[:, lo]) > 0
    err = np.where(ok & has[:, :-1], y - ma[:, :-1], np.nan)
    err[:, : min(window, y.shape[1])] = np.nan
    level = np.where(has[:, -1], ma[:, -1], 0.0)
    n_err = (~np.isnan(err)).sum(axis=1)
    n_obs = np.maximum(ok.sum(axis=1), 1)
    spread = _var_about(y, level) * n_obs / np.maximum(n_obs - 1, 1) * (1 + 1 / n_obs)
    return Fit(
        mean=np.repeat(level[:, None], h, axis=1),
        mse=np.where(n_err > 0, _nanmean_sq(err), spread),
        alpha=np.full(y.shape[0], min(1.0, 2.0 / (window + 1))),
        trend=np.zeros(y.shape[0]),
    )


def seasonal_naive(y: F64, h: int, m: int) -> Fit:
    """Value of the same period one season earlier; falls back to the last-season mean."""
    n, p = y.shape
    if p < m or m < 2:
        return moving_average(y, h, max(m, 1))
    last = y[:, p - m :]
    fallback = moving_average(y, 1, m).mean[:, 0]
    last = np.where(np.isnan(last), fallback[:, None], last)
    idx = np.arange(h) % m
    err = y[:, m:] - y[:, :-m]
    return Fit(
        mean=np.maximum(last[:, idx], 0.0),
        mse=_nanmean_sq(err),
        alpha=np.ones(n),
        trend=np.zeros(n),
    )


def croston_sba(y: F64, h: int, alpha: float = INTERMITTENT_ALPHA) -> Fit:
    """Croston with the Syntetos-Boylan bias correction: (1 - alpha/2) * size / interval.

    Size z and interval p are smoothed only in periods with demand; q counts periods since
    the last demand (unknown periods do not count).
    """
    n = y.shape[0]
    pos = np.where(np.isnan(y), 0.0, y) > 0
    npos = pos.sum(axis=1)
    z = np.where(npos > 0, np.where(pos, y, 0.0).sum(axis=1) / np.maximum(npos, 1), 0.0)
    z = _first_nonzero(y, z)
    p = np.maximum(valid_mask(y).sum(axis=1) / np.maximum(npos, 1), 1.0)
    q = np.ones(n)
    sse = np.zeros(n)
    cnt = np.zeros(n)
    fac = 1.0 - alpha / 2.0
    for t in range(y.shape[1]):
        yt = y[:, t]
        ok = ~np.isnan(yt)
        err = np.where(ok, yt - fac * z / p, 0.0)
        sse += err * err
        cnt += ok
        hit = ok & (yt > 0)
        z = np.where(hit, z + alpha * (yt - z), z)
        p = np.where(hit, p + alpha * (q - p), p)
        q = np.where(hit, 1.0, np.where(ok, q + 1.0, q))
    f = np.maximum(fac * z / p, 0.0)
    return Fit(np.repeat(f[:, None], h, 1), sse / np.maximum(cnt, 1), np.full(n, alpha), 0 * f)


def tsb(y: F64, h: int, alpha: float = INTERMITTENT_ALPHA, beta: float = 0.1) -> Fit:
    """Teunter-Syntetos-Babai: demand probability updated every period, size on demand.

    Forecast = prob * size; the probability decays through runs of zero demand.
    """
    n = y.shape[0]
    ok_all = valid_mask(y)
    pos = np.where(ok_all, y, 0.0) > 0
    npos = pos.sum(axis=1)
    z = _first_nonzero(y, np.where(pos, y, 0.0).sum(axis=1) / np.maximum(npos, 1))
    prob = npos / np.maximum(ok_all.sum(axis=1), 1)
    sse = np.zeros(n)
    cnt = np.zeros(n)
    for t in range(y.shape[1]):
        yt = y[:, t]
        ok = ~np.isnan(yt)
        err = np.where(ok, yt - prob * z, 0.0)
        sse += err * err
        cnt += ok
        hit = ok & (yt > 0)
        prob = np.where(ok, prob + beta * (hit - prob), prob)
        z = np.where(hit, z + alpha * (yt - z), z)
    f = np.maximum(prob * z, 0.0)
    return Fit(np.repeat(f[:, None], h, 1), sse / np.maximum(cnt, 1), np.full(n, beta), 0 * f)


def aggregate_blocks(y: F64, k: int) -> F64:
    """Non-overlapping sums of ``k`` periods aligned to the end: float64 (n, P // k).

    Blocks with unknown periods are scaled up by their known fraction; all-unknown -> NaN.
    """
    n, p = y.shape
    nb = p // k
    if nb == 0:
        return np.full((n, 0), np.nan)
    blk = y[:, p - nb * k :].reshape(n, nb, k)
    known = (~np.isnan(blk)).sum(axis=2)
    tot = np.nansum(blk, axis=2)
    return np.where(known > 0, tot * k / np.maximum(known, 1), np.nan)


def adida(y: F64, h: int, levels: NDArray[np.intp]) -> Fit:
    """ADIDA: SES on temporally aggregated blocks of ``levels[i]`` periods, spread evenly.

    levels: int (n,) aggregation level per series (usually the rounded mean interval).
    """
    n = y.shape[0]
    out = np.zeros(n)
    for k in np.unique(levels):
        rows = np.flatnonzero(levels == k)
        agg = aggregate_blocks(y[rows], int(k))
        if agg.shape[1] == 0:
            out[rows] = np.nanmean(np.where(np.isnan(y[rows]), np.nan, y[rows]), axis=1)
            continue
        out[rows] = ses(agg, 1).mean[:, 0] / k
    out = np.nan_to_num(np.maximum(out, 0.0))
    return Fit(np.repeat(out[:, None], h, 1), _var_about(y, out), np.full(n, 0.1), 0 * out)


def imapa(y: F64, h: int, max_levels: NDArray[np.intp]) -> Fit:
    """IMAPA: average of ADIDA-style SES forecasts over aggregation levels 1..max_levels[i]."""
    n = y.shape[0]
    tot = np.zeros(n)
    cnt = np.zeros(n)
    for k in range(1, int(max_levels.max(initial=1)) + 1):
        rows = np.flatnonzero(max_levels >= k)
        agg = aggregate_blocks(y[rows], k)
        if agg.shape[1] < 2:
            continue
        tot[rows] += ses(agg, 1).mean[:, 0] / k
        cnt[rows] += 1
    out = np.nan_to_num(np.maximum(tot / np.maximum(cnt, 1), 0.0))
    return Fit(np.repeat(out[:, None], h, 1), _var_about(y, out), np.full(n, 0.1), 0 * out)


def zero(y: F64, h: int) -> Fit:
    """Obsolescence: no more demand. ``mse`` is the in-sample mean square about zero."""
    n = y.shape[0]
    return Fit(np.zeros((n, h)), _nanmean_sq(y), np.zeros(n), np.zeros(n))


def _first_nonzero(y: F64, fallback: F64) -> F64:
    """Mean of the first two positive values per series (fallback when none)."""
    pos = np.where(np.isnan(y), 0.0, y) > 0
    first = pos & (np.cumsum(pos, axis=1) <= 2)
    c = first.sum(axis=1)
    return np.where(c > 0, np.where(first, y, 0.0).sum(axis=1) / np.maximum(c, 1), fallback)


def _nanmean_sq(err: F64) -> F64:
    ok = ~np.isnan(err)
    return np.where(ok, err * err, 0.0).sum(axis=1) / np.maximum(ok.sum(axis=1), 1)


def _var_about(y: F64, level: F64) -> F64:
    return _nanmean_sq(y - level[:, None])
