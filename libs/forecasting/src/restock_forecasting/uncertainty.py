"""Forecast variance growth and distribution quantiles.

Variance model: the one-step error variance ``mse`` of the chosen model grows with the
horizon like a local-level (ETS A,N,N) model with smoothing weight alpha:
step j has variance mse * (1 + alpha^2 (j - 1)); the sum over H periods has variance
mse * V(H), V(H) = H + alpha H (H - 1) + alpha^2 (H - 1) H (2H - 1) / 6 (V(H) = H for
H < 1, a fraction of a period). Both are multiplied by calibration factors k^2 estimated
from rolling-origin backtest errors (see :mod:`restock_forecasting.engine`).
Continuous classes use a gamma distribution matched to mean and variance; intermittent
and lumpy series a negative binomial (Poisson when not over-dispersed), with integer
quantiles.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import stats

F64 = NDArray[np.float64]


def cum_variance_factor(horizon: F64, alpha: F64) -> F64:
    """V(H) for cumulative demand over H periods (H may be fractional); broadcasts."""
    h = np.asarray(horizon, dtype=float)
    a = np.asarray(alpha, dtype=float)
    full = h + a * h * (h - 1) + a * a * (h - 1) * h * (2 * h - 1) / 6.0
    return np.where(h < 1, h, full)


def step_variance_factor(h: int, alpha: F64) -> F64:
    """float64 (n, h): variance factor 1 + alpha^2 (j - 1) of the j-th step ahead."""
    j = np.arange(h, dtype=float)[None, :]
    return 1.0 + np.asarray(alpha, dtype=float)[:, None] ** 2 * j


def quantiles(mean: F64, var: F64, discrete: NDArray[np.bool_], levels: F64) -> F64:
    """Quantiles of a non-negative demand with given mean and variance.

    mean, var: float64 (n, ...) ; discrete: bool (n,) (negative binomial / Poisson,
    integer quantiles) else gamma; levels: float64 (L,), or (n, L) per series.
    Returns float64 (n, ..., L), >= 0 and non-decreasing in level.
    """
    mu = np.maximum(np.asarray(mean, dtype=float), 0.0)
    v = np.maximum(np.asarray(var, dtype=float), 0.0)
    lv = np.asarray(levels, dtype=float)
    shape = (*mu.shape, lv.shape[-1])
    out = np.zeros(shape)
    disc = np.broadcast_to(np.asarray(discrete, bool).reshape(-1, *([1] * (mu.ndim - 1))), mu.shape)
    if lv.ndim == 2:  # per-series levels (n, L)
        lv = lv.reshape(lv.shape[0], *([1] * (mu.ndim - 1)), lv.shape[1])
    q = np.broadcast_to(lv, shape)
    mu_b = np.broadcast_to(mu[..., None], shape)
    v_b = np.broadcast_to(v[..., None], shape)
    live = mu_b > 1e-9
    cont = live & ~disc[..., None]
    tiny = cont & (v_b <= 1e-12 * np.maximum(mu_b, 1.0) ** 2)
    out[tiny] = mu_b[tiny]
    g = cont & ~tiny
    if g.any():
        a = mu_b[g] ** 2 / v_b[g]
        out[g] = stats.gamma.ppf(q[g], a, scale=v_b[g] / mu_b[g])
    d = live & disc[..., None]
    if d.any():
        m, vv, qq = mu_b[d], v_b[d], q[d]
        over = vv > m * (1 + 1e-6)
        res = np.empty(m.shape)
        res[~over] = stats.poisson.ppf(qq[~over], m[~over])
        r = m[over] ** 2 / (vv[over] - m[over])
        res[over] = stats.nbinom.ppf(qq[over], r, r / (r + m[over]))
        out[d] = res
    out = np.nan_to_num(out, nan=0.0, posinf=0.0)
    return np.maximum.accumulate(np.maximum(out, 0.0), axis=-1)
