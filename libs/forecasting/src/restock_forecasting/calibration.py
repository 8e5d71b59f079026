"""Quantile recalibration of cumulative demand from backtest PIT values.

The variance calibration (k^2 in :mod:`restock_forecasting.engine`) makes the spread
right on average, but not the shape: a biased point forecast (e.g. Croston's on lumpy
demand) or tails heavier than the gamma / negative binomial leave the cumulative
quantiles under- or over-covering. At every backtest origin the chosen model's
cumulative forecast distribution over the backtest horizon (mean, calibrated variance)
is evaluated at the realised cumulative demand: the probability integral transform
u = F(actual) (mid-PIT for discrete distributions). For a calibrated forecast u is
uniform. Pooled per demand class, the empirical quantile Q_u(tau) is the level whose
forecast quantile the realisations fall below with frequency tau, so the published
level-tau quantile is the forecast's Q_u(tau) quantile (Kuleshov et al., 2018), shrunk
towards tau with a prior weight of :data:`PRIOR_PIT` observations.

The shift is bounded, because a level near 1 turns a heavy-tailed forecast
distribution into an absurd stock target (levels up to 0.999 gave single series 5-15x
a naive min/max's stock in the policy simulation): a class needs :data:`MIN_PIT`
backtest values, the published level only ever widens, its exceedance probability
1 - level shrinks at most by :data:`TAIL_SHRINK_MAX`, and it never exceeds
:data:`LEVEL_MAX`. On a heavy-tailed distribution even a bounded level shift can move
a quantile far, so :func:`cap_quantiles` finally keeps every recalibrated quantile within
:data:`QUANTILE_RATIO_MAX` times (or one unit above) the nominal one.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import stats

F64 = NDArray[np.float64]

PRIOR_PIT = 50.0
MIN_PIT = 100
TAIL_SHRINK_MAX = 1.5
LEVEL_MIN, LEVEL_MAX = 0.01, 0.995
QUANTILE_RATIO_MAX = 1.5


def pit(x: F64, mean: F64, var: F64, discrete: NDArray[np.bool_]) -> F64:
    """u = F(x) of the distributions :func:`~restock_forecasting.uncertainty.quantiles` uses.

    All arguments (m,); gamma for continuous, mid-PIT 0.5 (F(x - 1) + F(x)) of the
    negative binomial (Poisson when not over-dispersed) for discrete series on round(x).
    A zero mean puts all mass at 0.
    """
    x = np.maximum(np.asarray(x, float), 0.0)
    m = np.maximum(np.asarray(mean, float), 0.0)
    v = np.maximum(np.asarray(var, float), 0.0)
    disc = np.asarray(discrete, bool)
    out = np.where(x <= 0, 0.5, 1.0)
    live = m > 1e-9
    tiny = live & ~disc & (v <= 1e-12 * np.maximum(m, 1.0) ** 2)
    out[tiny] = np.where(x[tiny] < m[tiny], 0.0, np.where(x[tiny] > m[tiny], 1.0, 0.5))
    g = live & ~disc & ~tiny
    if g.any():
        out[g] = stats.gamma.cdf(x[g], m[g] ** 2 / v[g], scale=v[g] / m[g])
    d = live & disc
    if d.any():
        xi, md, vd = np.round(x[d]), m[d], v[d]
        over = vd > md * (1 + 1e-6)
        res = np.empty(xi.shape)
        res[~over] = 0.5 * (
            stats.poisson.cdf(xi[~over] - 1, md[~over]) + stats.poisson.cdf(xi[~over], md[~over])
        )
        r = md[over] ** 2 / (vd[over] - md[over])
        p = r / (r + md[over])
        res[over] = 0.5 * (stats.nbinom.cdf(xi[over] - 1, r, p) + stats.nbinom.cdf(xi[over], r, p))
        out[d] = res
    return np.clip(np.nan_to_num(out, nan=0.5), 0.0, 1.0)


def pooled_pit(u: F64, ok: NDArray[np.bool_], groups: NDArray[np.int8]) -> dict[int, F64]:
    """Sorted PIT values per group; u, ok: (k, n) over origins x series; groups: (n,)."""
    out: dict[int, F64] = {}
    for g in np.unique(groups):
        sel = ok & (groups == g)[None, :]
        out[int(g)] = np.sort(u[sel])
    return out


def calibrated_levels(pits: dict[int, F64], groups: NDArray[np.int8], levels: F64) -> F64:
    """float64 (n, L): the forecast levels to publish as ``levels`` for each series.

    Non-decreasing along L; the identity for groups with fewer than :data:`MIN_PIT`
    backtest PIT values; each level lies in [tau, min(1 - (1 - tau) / TAIL_SHRINK_MAX,
    LEVEL_MAX)] (tau itself when tau is above LEVEL_MAX).
    """
    lv = np.asarray(levels, float)
    out = np.broadcast_to(lv, (groups.size, lv.size)).copy()
    upper = np.maximum(np.minimum(1.0 - (1.0 - lv) / TAIL_SHRINK_MAX, LEVEL_MAX), lv)
    for g, u in pits.items():
        if u.size < MIN_PIT:
            continue
        emp = np.quantile(u, lv)
        blend = (u.size * emp + PRIOR_PIT * lv) / (u.size + PRIOR_PIT)
        out[groups == g] = np.clip(np.maximum(blend, lv), LEVEL_MIN, upper)
    return np.maximum.accumulate(out, axis=1)


def cap_quantiles(recalibrated: F64, nominal: F64) -> F64:
    """min(recalibrated, max(QUANTILE_RATIO_MAX * nominal, nominal + 1)), elementwise.

    Both arrays are quantiles of the same distributions (recalibrated at the levels of
    :func:`calibrated_levels`, nominal at the published levels); the result keeps the
    ordering along the level axis because both bounds are non-decreasing in the nominal
    quantile.
    """
    nom = np.asarray(nominal, float)
    return np.minimum(
        np.asarray(recalibrated, float), np.maximum(QUANTILE_RATIO_MAX * nom, nom + 1.0)
    )
