"""Demand-distribution numerics on the forecast-contract quantile grid.

A *component set* describes, per row and per lead-time node, the distribution of
cumulative demand over one horizon by its quantile knots:

* ``knots``: float64 (n, K, P) — non-decreasing quantiles at the extended levels,
* ``levels``: float64 (P,) — the extended probability levels (shared by all rows),
* ``beta``: float64 (n, K) — scale of the exponential upper tail beyond the last level,
* ``weights``: float64 (K,) — mixture weights of the K lead-time nodes (sum to 1).

Conventions (all documented in the package README):

* Horizon interpolation is linear in h between grid horizons, with demand 0 at h = 0.
* Beyond the last grid horizon H: Q_T(p) = mu_T + (Q_H(p) - mu_H) * sqrt(T / H), where mu is
  the cumulative mean path extended with the mean rate of its last 28 days.
* Levels below the median are obtained by reflecting the upper levels about the median
  (Q(1-p) = max(0, 2 Q(0.5) - Q(p))); below the lowest level the quantile is flat.
* Between levels the quantile function is linear in p; above the last level (0.995) the
  tail is exponential: Q(p) = Q_last + beta * ln((1 - p_last) / (1 - p)), with beta fitted
  to the last two levels.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import stats

FloatArr = NDArray[np.float64]

TAIL_WINDOW_DAYS = 28
"""Days at the end of the mean path whose average rate extends it beyond the horizon."""

_ROOT_ITERS = 18
_BISECT_TAIL = 6
_STEP = 1e12
_EPS = 1e-12
_MIN_DAYS = 1e-3
_FLAT = 1e-9


def cummax_last(x: FloatArr) -> FloatArr:
    """Running maximum along the last (short) axis; faster than ufunc.accumulate there."""
    out = np.array(x, dtype=np.float64, copy=True)
    for j in range(1, out.shape[-1]):
        np.maximum(out[..., j], out[..., j - 1], out=out[..., j])
    return out


def cumulative_path(mean_daily: FloatArr) -> FloatArr:
    """float64 (n, H + 1): cumulative mean demand with a leading 0 column."""
    n = mean_daily.shape[0]
    return np.concatenate([np.zeros((n, 1)), np.cumsum(mean_daily, axis=1)], axis=1)


def cumulative_mean(mean_daily: FloatArr, t: FloatArr, cum: FloatArr | None = None) -> FloatArr:
    """Expected cumulative demand over days 1..t (t fractional, linear within a day).

    mean_daily: float64 (n, H); t: float64 (n, K) or (n,) → same shape as ``t``;
    cum: optional pre-computed :func:`cumulative_path`.
    Beyond H the path continues at the mean rate of its last 28 days.
    """
    n, h = mean_daily.shape
    if cum is None:
        cum = cumulative_path(mean_daily)
    tail_rate = mean_daily[:, -min(TAIL_WINDOW_DAYS, h) :].mean(axis=1)
    t2 = np.asarray(t, dtype=np.float64)
    flat = t2.reshape(n, -1)
    tc = np.clip(flat, 0.0, float(h))
    lo = np.minimum(np.floor(tc).astype(np.intp), h - 1)
    frac = tc - lo
    c_lo = np.take_along_axis(cum, lo, axis=1)
    c_hi = np.take_along_axis(cum, lo + 1, axis=1)
    out = c_lo + frac * (c_hi - c_lo) + np.maximum(flat - h, 0.0) * tail_rate[:, None]
    return out.reshape(t2.shape)


def horizon_quantiles(
    cum_quantiles: FloatArr,
    horizons: FloatArr,
    mean_daily: FloatArr,
    t: FloatArr,
) -> FloatArr:
    """Quantiles of cumulative demand at fractional horizons ``t``.

    cum_quantiles: float64 (n, G, L); horizons: float64 (G,) increasing;
    mean_daily: float64 (n, H); t: float64 (n, K) → float64 (n, K, L).
    """
    n, g, nl = cum_quantiles.shape
    hz = np.concatenate([[0.0], np.asarray(horizons, dtype=np.float64)])
    q_ext = np.concatenate([np.zeros((n, 1, nl)), cum_quantiles], axis=1)
    h_max = hz[-1]
    tc = np.clip(t, 0.0, h_max)
    j = np.clip(np.searchsorted(hz, tc, side="right") - 1, 0, g - 1)
    w = (tc - hz[j]) / (hz[j + 1] - hz[j])
    q_lo = np.take_along_axis(q_ext, j[:, :, None], axis=1)
    q_hi = np.take_along_axis(q_ext, (j + 1)[:, :, None], axis=1)
    q = q_lo + w[:, :, None] * (q_hi - q_lo)
    beyond = t > h_max
    if np.any(beyond):
        mu_h = cumulative_mean(mean_daily, np.full(t.shape, h_max))
        mu_t = cumulative_mean(mean_daily, t)
        scale = np.sqrt(np.maximum(t, h_max) / h_max)
        q_far = mu_t[:, :, None] + (q_ext[:, -1:, :] - mu_h[:, :, None]) * scale[:, :, None]
        q = np.where(beyond[:, :, None], np.maximum(q_far, 0.0), q)
    return np.maximum(q, 0.0)


def extend_levels(q: FloatArr, levels: FloatArr) -> tuple[FloatArr, FloatArr, FloatArr]:
    """Reflect the upper quantiles about the median and fit the exponential tail.

    q: float64 (n, K, L) at ``levels`` (L,) which start at 0.5 →
    (knots (n, K, P), ext_levels (P,), beta (n, K)) with P = 2 L - 1.
    """
    lv = np.asarray(levels, dtype=np.float64)
    if not np.isclose(lv[0], 0.5) or np.any(np.diff(lv) <= 0):
        raise ValueError("quantile levels must be increasing and start at 0.5")
    upper = cummax_last(np.maximum(q, 0.0))
    lower = np.maximum(2.0 * upper[..., :1] - upper[..., :0:-1], 0.0)
    knots = cummax_last(np.concatenate([lower, upper], axis=-1))
    ext = np.concatenate([1.0 - lv[:0:-1], lv])
    log_ratio = np.log((1.0 - ext[-2]) / (1.0 - ext[-1]))
    beta = (knots[..., -1] - knots[..., -2]) / log_ratio
    return knots, ext, beta


def component_quantile(knots: FloatArr, levels: FloatArr, beta: FloatArr, s: FloatArr) -> FloatArr:
    """Quantile of each component at per-row level ``s``.

    knots: (n, K, P); levels: (P,); beta: (n, K); s: float64 (n,) in (0, 1) → (n, K).
    """
    p = levels.shape[0]
    sc = np.clip(s, levels[0], levels[-1])
    j = np.clip(np.searchsorted(levels, sc, side="right") - 1, 0, p - 2)
    w = (sc - levels[j]) / (levels[j + 1] - levels[j])
    jj = np.broadcast_to(j[:, None, None], (*knots.shape[:2], 1))
    q_lo = np.take_along_axis(knots, jj, axis=2)[..., 0]
    q_hi = np.take_along_axis(knots, jj + 1, axis=2)[..., 0]
    q = q_lo + w[:, None] * (q_hi - q_lo)
    tail = s > levels[-1]
    s_safe = np.where(tail, s, levels[-1])
    extra = beta * np.log((1.0 - levels[-1]) / (1.0 - s_safe))[:, None]
    return np.where(tail[:, None], knots[..., -1] + extra, q)


class _Cdf:
    """Pre-computed piecewise-linear CDF of a component set, evaluated repeatedly."""

    def __init__(self, knots: FloatArr, levels: FloatArr, beta: FloatArr) -> None:
        qa, qb = knots[..., :-1], knots[..., 1:]
        width = qb - qa
        flat = width <= _FLAT * np.maximum(1.0, np.abs(qb))
        self.qa = qa
        self.inv_w = np.where(flat, _STEP, 1.0 / np.where(flat, 1.0, width))
        self.offset = flat.astype(np.float64)
        self.dl = np.diff(levels)
        self.p0 = levels[0]
        self.p_tail = 1.0 - levels[-1]
        self.q0 = knots[..., 0]
        self.top = knots[..., -1]
        pos = beta > 1e-12
        self.inv_beta = np.where(pos, 1.0 / np.where(pos, beta, 1.0), np.inf)

    def subset(self, rows: NDArray[np.bool_]) -> _Cdf:
        """The same CDFs restricted to ``rows`` (bool mask over the current rows)."""
        out = object.__new__(_Cdf)
        out.__dict__.update(self.__dict__)
        for name in ("qa", "inv_w", "offset", "q0", "top", "inv_beta"):
            setattr(out, name, getattr(self, name)[rows])
        return out

    def __call__(self, x: FloatArr) -> FloatArr:
        """Component CDFs at per-row x (n,) → (n, K)."""
        xc = x[:, None]
        frac = np.clip((xc[..., None] - self.qa) * self.inv_w + self.offset, 0.0, 1.0)
        f = self.p0 * (xc >= self.q0) + frac @ self.dl
        excess = xc - self.top
        with np.errstate(invalid="ignore", over="ignore"):
            decay = np.exp(-np.maximum(excess, 0.0) * self.inv_beta)
        decay = np.where(np.isnan(decay), 0.0, decay)
        return np.where(excess >= 0, 1.0 - self.p_tail * decay, f)


def component_cdf(knots: FloatArr, levels: FloatArr, beta: FloatArr, x: FloatArr) -> FloatArr:
    """CDF of each component at per-row value ``x``: x (n,) → (n, K).

    Piecewise linear between knots (a tie between knots is a jump), exponential above the
    last knot, 0 below the first knot.
    """
    return _Cdf(knots, levels, beta)(x)


def mixture_cdf(
    knots: FloatArr, levels: FloatArr, beta: FloatArr, weights: FloatArr, x: FloatArr
) -> FloatArr:
    """CDF of the lead-time mixture at x: x (n,) → (n,)."""
    return component_cdf(knots, levels, beta, x) @ weights


def mixture_quantile(
    knots: FloatArr, levels: FloatArr, beta: FloatArr, weights: FloatArr, s: FloatArr
) -> FloatArr:
    """Quantile of the lead-time mixture at level s (n,) → (n,).

    The mixture quantile lies between the smallest and largest component quantile at the
    same level; with a single distinct component (lead-time std 0) it is returned exactly.
    Otherwise the bracket is narrowed by the Illinois (modified regula falsi) method, which
    converges fast on the piecewise-linear mixture CDF, and finished by bisection steps.
    """
    cq = component_quantile(knots, levels, beta, s)
    lo = cq.min(axis=1)
    hi = cq.max(axis=1).copy()
    open_ = hi > lo + _EPS * np.maximum(1.0, hi)
    if not np.any(open_):
        return hi
    idx = np.flatnonzero(open_)
    cdf = _Cdf(knots[idx], levels, beta[idx])
    ss = s[idx]
    a, z = lo[idx], hi[idx]
    fa = cdf(a) @ weights - ss
    fz = cdf(z) @ weights - ss
    side = np.zeros(a.shape)
    live = np.arange(idx.size)
    for it in range(_ROOT_ITERS):
        if it > 0:
            keep = (z[live] - a[live] > _EPS * np.maximum(1.0, np.abs(z[live]))) & (
                np.abs(fz[live]) > _EPS
            )
            if not keep.all():
                live = live[keep]
                if live.size == 0:
                    break
                cdf = cdf.subset(keep)
        la, lz, lfa, lfz = a[live], z[live], fa[live], fz[live]
        denom = lfz - lfa
        secant = (it < _ROOT_ITERS - _BISECT_TAIL) & (denom > 0)
        mid = np.where(
            secant, (la * lfz - lz * lfa) / np.where(denom > 0, denom, 1.0), 0.5 * (la + lz)
        )
        mid = np.clip(mid, la, lz)
        fm = cdf(mid) @ weights - ss[live]
        up = fm >= 0
        sd = side[live]
        z[live] = np.where(up, mid, lz)
        a[live] = np.where(up, la, mid)
        fa[live] = np.where(up, np.where(sd == 1, 0.5 * lfa, lfa), fm)
        fz[live] = np.where(up, fm, np.where(sd == -1, 0.5 * lfz, lfz))
        side[live] = np.where(up, 1, -1)
    hi[idx] = z
    return hi


def component_expected_shortage(
    knots: FloatArr, levels: FloatArr, beta: FloatArr, stock: FloatArr
) -> FloatArr:
    """E[(D - S)+] per component by integrating the quantile function over p.

    On a linear segment [q_a, q_b] of width dp the integral of (Q(p) - S)+ is
    dp ((q_b - S)+^2 - (q_a - S)+^2) / (2 (q_b - q_a)); on a flat one dp (q_a - S)+.
    stock: float64 (n,) or (n, S) → (n, K) or (n, S, K).
    """
    st = np.asarray(stock, dtype=np.float64)
    multi = st.ndim == 2
    s2 = st if multi else st[:, None]
    kn = knots[:, None, :, :]
    u = np.maximum(kn - s2[:, :, None, None], 0.0)
    u2 = u * u
    width = np.diff(knots, axis=-1)[:, None]
    flat = width <= _FLAT * np.maximum(1.0, knots[:, None, :, 1:])
    dp = np.diff(levels)
    coef = np.where(flat, 0.0, dp / (2.0 * np.where(flat, 1.0, width)))
    seg = ((u2[..., 1:] - u2[..., :-1]) * coef + np.where(flat, dp, 0.0) * u[..., :-1]).sum(-1)
    head = levels[0] * u[..., 0]
    p_tail = 1.0 - levels[-1]
    b = beta[:, None, :]
    gap = s2[:, :, None] - knots[:, None, :, -1]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        decay = np.where(b > 0, np.exp(-np.maximum(gap, 0.0) / np.where(b > 0, b, 1.0)), 0.0)
    tail = np.where(gap <= 0, p_tail * (-gap + b), p_tail * b * decay)
    out = seg + head + tail
    return out if multi else out[:, 0, :]


def mixture_expected_shortage(
    knots: FloatArr, levels: FloatArr, beta: FloatArr, weights: FloatArr, stock: FloatArr
) -> FloatArr:
    """E[(D - S)+] of the lead-time mixture: stock (n,) or (n, S) → (n,) or (n, S)."""
    return component_expected_shortage(knots, levels, beta, stock) @ weights


def lead_time_nodes(mean: FloatArr, std: FloatArr, k: int) -> tuple[FloatArr, FloatArr]:
    """Discretise a gamma lead-time distribution into k equal-probability nodes.

    mean, std: float64 (n,) days (std or mean below 0.001 d, or std NaN → all nodes equal
    the mean) →
    (nodes float64 (n, k), weights float64 (k,)). Node i is the gamma quantile at
    (i + 0.5) / k, so every node carries weight 1 / k; the nodes are then shifted and
    scaled so that their mean and standard deviation equal ``mean`` and ``std`` exactly
    (midpoint quantiles alone understate the spread), floored at 0.
    """
    probs = (np.arange(k) + 0.5) / k
    sd = np.nan_to_num(std, nan=0.0)
    varying = (sd > _MIN_DAYS) & (mean > _MIN_DAYS)
    nodes = np.repeat(mean[:, None], k, axis=1).astype(np.float64)
    if np.any(varying):
        m, v = mean[varying], sd[varying]
        shape = (m / v) ** 2
        scale = v**2 / m
        raw = stats.gamma.ppf(probs[None, :], shape[:, None], scale=scale[:, None])
        centre = raw.mean(axis=1, keepdims=True)
        spread = raw.std(axis=1, keepdims=True)
        gain = np.where(spread > 0, v[:, None] / np.where(spread > 0, spread, 1.0), 0.0)
        nodes[varying] = np.maximum(m[:, None] + (raw - centre) * gain, 0.0)
    return nodes, np.full(k, 1.0 / k)
