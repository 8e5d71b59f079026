"""Yearly seasonal indices (multiplicative, shrunk) and weekday profiles.

Seasonal indices are indexed by absolute phase ``t % m`` of the period axis they were
computed on. Each series' raw index (ratio to a centred moving average, averaged per
phase, smoothed circularly for long seasons) is shrunk towards its category's pooled
profile with a James-Stein weight lambda = signal / (signal + noise); series with less
than one season plus one period of history take the category profile outright.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

F64 = NDArray[np.float64]
I64 = NDArray[np.intp]


def centred_level(y: F64, m: int) -> F64:
    """float64 (n, P): NaN-aware centred moving average over one season (2xm for even m).

    Periods whose full window does not fit take the nearest computed value;
    series with no full window get NaN everywhere.
    """
    n, p = y.shape
    ok = ~np.isnan(y)
    w = np.r_[0.5, np.ones(m - 1), 0.5] if m % 2 == 0 else np.ones(m)
    half = (w.size - 1) // 2
    out = np.full((n, p), np.nan)
    if p < w.size:
        return out
    yz = np.where(ok, y, 0.0)
    num = np.zeros((n, p - w.size + 1))
    den = np.zeros_like(num)
    for j, wj in enumerate(w):
        num += wj * yz[:, j : j + num.shape[1]]
        den += wj * ok[:, j : j + num.shape[1]]
    cma = np.where(den >= 0.5 * w.sum(), num / np.maximum(den, 1e-12), np.nan)
    out[:, half : half + cma.shape[1]] = cma
    out[:, :half] = cma[:, :1]
    out[:, half + cma.shape[1] :] = cma[:, -1:]
    return out


def _phase_table(r: F64, m: int) -> F64:
    """Reshape (n, P) to (n, ceil(P/m), m) by absolute phase, padding with NaN."""
    n, p = r.shape
    pad = (-p) % m
    return np.concatenate([r, np.full((n, pad), np.nan)], axis=1).reshape(n, -1, m)


def _circular_smooth(x: F64, m: int) -> tuple[F64, float]:
    """Triangular circular smoothing for long seasons; returns (smoothed, sum of w^2)."""
    if m < 26:
        return x, 1.0
    w = np.array([1.0, 2.0, 3.0, 2.0, 1.0]) / 9.0
    out = np.zeros_like(x)
    for k, wk in zip(range(-2, 3), w, strict=True):
        out += wk * np.roll(x, k, axis=1)
    return out, float((w * w).sum())


def seasonal_indices(
    y: F64, m: int, category: I64 | None = None, min_periods: int | None = None
) -> tuple[F64, F64]:
    """Shrunk multiplicative seasonal indices.

    y: float64 (n, P) period demand (NaN unknown); m: season length in periods;
    category: int (n,) pooling groups (None: one group).
    Returns (index float64 (n, m) with mean 1 per row, lambda float64 (n,) in [0, 1]
    = weight on the series' own profile; 0 means the category profile was used).
    """
    n = y.shape[0]
    cat = np.zeros(n, dtype=np.intp) if category is None else np.asarray(category, np.intp)
    need = m + 1 if min_periods is None else min_periods
    if m < 2:
        return np.ones((n, 1)), np.zeros(n)
    lvl = centred_level(y, m)
    ratio = np.where((lvl > 0) & ~np.isnan(y), y / np.where(lvl > 0, lvl, 1.0), np.nan)
    tab = _phase_table(ratio, m)
    cnt = (~np.isnan(tab)).sum(axis=1)
    raw = np.where(cnt > 0, np.nansum(tab, axis=1) / np.maximum(cnt, 1), 1.0)
    smooth, w2 = _circular_smooth(raw, m)
    smooth = smooth / np.maximum(smooth.mean(axis=1, keepdims=True), 1e-12)
    own = ((~np.isnan(y)).sum(axis=1) >= need) & (cnt.min(axis=1) > 0)
    dev = tab - smooth[:, None, :]
    dok = ~np.isnan(dev)
    n_dev = dok.reshape(n, -1).sum(axis=1)
    sq = np.where(dok, dev * dev, 0.0).reshape(n, -1).sum(axis=1)
    noise_r = np.where(n_dev > 0, sq / np.maximum(n_dev, 1), 1.0)
    noise = noise_r * w2 / np.maximum(cnt.mean(axis=1), 1.0)
    pooled = np.ones((int(cat.max(initial=0)) + 1, m))
    for c in np.unique(cat[own]):
        members = own & (cat == c)
        prof = np.median(smooth[members], axis=0) if members.sum() >= 5 else None
        if prof is not None:
            pooled[c] = prof / prof.mean()
    target = pooled[cat]
    signal = np.maximum(((smooth - target) ** 2).mean(axis=1) - noise, 0.0)
    lam = np.where(own, signal / np.maximum(signal + noise, 1e-12), 0.0)
    idx = np.clip(target + lam[:, None] * (smooth - target), 0.05, 20.0)
    return idx / idx.mean(axis=1, keepdims=True), lam


def weekday_profile(daily: F64, start_weekday: int, prior_units: float = 100.0) -> tuple[F64, F64]:
    """Per-series weekday weights shrunk to the pooled profile.

    daily: float64 (n, T) demand (NaN unknown); start_weekday: weekday of column 0
    (Monday = 0). Returns (profile float64 (n, 7) indexed by weekday with mean 1,
    pooled float64 (7,)). Weight on the own profile = units / (units + prior_units).
    """
    n, t = daily.shape
    wd = (start_weekday + np.arange(t)) % 7
    ok = ~np.isnan(daily)
    yz = np.where(ok, daily, 0.0)
    rate = np.zeros((n, 7))
    for d in range(7):
        cols = wd == d
        rate[:, d] = yz[:, cols].sum(axis=1) / np.maximum(ok[:, cols].sum(axis=1), 1)
    units = yz.sum(axis=1)
    tot = rate.sum(axis=0)
    pooled = tot / tot.mean() if tot.sum() > 0 else np.ones(7)
    own = rate / np.maximum(rate.mean(axis=1, keepdims=True), 1e-12)
    own = np.where(rate.mean(axis=1, keepdims=True) > 0, own, pooled[None, :])
    lam = (units / (units + prior_units))[:, None]
    prof = lam * own + (1 - lam) * pooled[None, :]
    return prof / prof.mean(axis=1, keepdims=True), pooled
