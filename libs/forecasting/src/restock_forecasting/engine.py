"""Per-series model choice by rolling-origin backtest, on equally spaced periods.

:func:`forecast_periodic` is the period-level core used by the daily panel engine
(weekly or 4-week buckets), the CSV CLI (D / W / M) and the M3 benchmark.

Selection: for each origin o (``n_origins`` origins, the latest ending exactly at the
last period), every candidate is refit on y[:, :o] and scored on the next
``backtest_h[i]`` periods by a MASE-type score = mean over origins of
0.5 * |cumulative error| / (scale * H) + 0.5 * mean |per-period error| / scale,
scale = in-sample mean absolute first difference. The lowest score among the candidates
eligible for the series' class wins; every candidate's score is kept.

Obsolete (``dead``) series choose between ``zero`` (no more demand) and TSB (decaying
demand probability) by the same backtest.

Calibration: backtest errors of the chosen model standardised by the model's own
variance forecast give z-scores; k^2 = mean z^2 per series (per-period and cumulative
separately), shrunk towards the pooled value of the series' class (a per-period z^2 is
winsorised at 25, i.e. 5 sd, so that one promotion-sized error does not widen every
central interval; the series mean z^2 is clipped at 100);
the cumulative factor is never below the per-period one (few, overlapping origins make
it noisy). New series (no backtest) keep k = 1 with alpha >= 0.3 so that the level
uncertainty of a short history grows with the horizon.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from . import classify as cl
from . import models as md
from .calibration import calibrated_levels, pit, pooled_pit
from .seasonality import seasonal_indices
from .uncertainty import cum_variance_factor, quantiles, step_variance_factor

F64 = NDArray[np.float64]
IP = NDArray[np.intp]

CANDIDATES: tuple[str, ...] = (
    "snaive",
    "ma_short",
    "mean",
    "ses",
    "holt_damped",
    "theta",
    "comb",
    "mean_s",
    "ses_s",
    "holt_damped_s",
    "theta_s",
    "comb_s",
    "croston_sba",
    "tsb",
    "adida",
    "imapa",
    "zero",
)
_C = {name: j for j, name in enumerate(CANDIDATES)}
_CONT: tuple[str, ...] = ("snaive", "ma_short", "ses", "holt_damped", "theta", "comb")
_CONT += ("ses_s", "holt_damped_s", "theta_s", "comb_s")
ELIGIBLE: dict[int, tuple[str, ...]] = {
    cl.SMOOTH: _CONT,
    cl.ERRATIC: _CONT,
    cl.INTERMITTENT: ("ma_short", "ses", "croston_sba", "tsb", "adida", "imapa"),
    cl.LUMPY: ("ma_short", "ses", "croston_sba", "tsb", "adida", "imapa"),
    cl.NEW: ("mean_s",),
    cl.DEAD: ("zero", "tsb"),
    cl.DISCONTINUED: ("mean",),
}
FALLBACK = {cl.SMOOTH: "ses", cl.ERRATIC: "ses", cl.INTERMITTENT: "tsb", cl.LUMPY: "tsb"}
PRIOR_WEIGHT_STEP = 20.0
PRIOR_WEIGHT_CUM = 6.0
Z2_CLIP = 100.0
Z2_OBS_CLIP = 25.0
NEW_ALPHA_FLOOR = 0.3


@dataclass(frozen=True)
class PeriodicForecast:
    """Point forecasts, model choice and calibrated dispersion for n series.

    mean: float64 (n, h); model_index: int (n,) into model_names;
    candidate_errors: float64 (n, C) backtest score per candidate (NaN: not eligible);
    bias: float64 (n,) mean cumulative backtest error of the chosen model / (scale * H),
    positive = over-forecast; demand_class: int8 (n,); mse: float64 (n,) one-step
    variance; alpha, trend: float64 (n,); k_step, k_cum: float64 (n,) calibration
    factors; seasonal_index: float64 (n, m) by absolute phase t % m;
    seasonal_strength: float64 (n,); n_periods: length P of the history;
    cum_pit: sorted backtest PIT values of cumulative demand per class (see
    :mod:`restock_forecasting.calibration`).
    """

    mean: F64
    model_index: IP
    model_names: tuple[str, ...]
    candidate_errors: F64
    bias: F64
    demand_class: NDArray[np.int8]
    mse: F64
    alpha: F64
    trend: F64
    k_step: F64
    k_cum: F64
    seasonal_index: F64
    seasonal_strength: F64
    n_periods: int
    cum_pit: dict[int, F64]

    @property
    def discrete(self) -> NDArray[np.bool_]:
        """bool (n,): series whose demand distribution is discrete (NB / Poisson)."""
        return np.isin(self.demand_class, (cl.INTERMITTENT, cl.LUMPY, cl.NEW, cl.DEAD))

    def step_variance(self) -> F64:
        """float64 (n, h): calibrated variance of each future period's demand."""
        scale = self.mse * self.k_step**2 * self._season_var()
        return scale[:, None] * step_variance_factor(self.mean.shape[1], self.alpha)

    def cum_variance(self, horizon_periods: F64) -> F64:
        """Calibrated variance of cumulative demand over H periods; H (n, G) or (G,)."""
        hz = np.broadcast_to(
            np.asarray(horizon_periods, float),
            (
                self.mean.shape[0],
                np.size(horizon_periods)
                if np.ndim(horizon_periods) == 1
                else np.shape(horizon_periods)[1],
            ),
        )
        scale = self.mse * self.k_cum**2 * self._season_var()
        return scale[:, None] * cum_variance_factor(hz, self.alpha[:, None])

    def cum_levels(self, levels: F64) -> F64:
        """float64 (n, L): recalibrated levels for the quantiles of cumulative demand."""
        return calibrated_levels(self.cum_pit, self.demand_class, levels)

    def period_quantiles(self, levels: F64) -> F64:
        """float64 (n, h, L): quantiles of each future period's demand."""
        return quantiles(self.mean, self.step_variance(), self.discrete, levels)

    def _season_var(self) -> F64:
        j = self.model_index
        seasonal = np.array([n.endswith("_s") for n in self.model_names])[j]
        return np.where(seasonal, (self.seasonal_index**2).mean(axis=1), 1.0)


def run_candidates(y: F64, h: int, m: int, sidx: F64, adi: F64) -> dict[str, md.Fit]:
    """Fit every candidate on y: float64 (n, P); sidx: (n, m) by absolute phase."""
    p = y.shape[1]
    fits: dict[str, md.Fit] = {
        "snaive": md.seasonal_naive(y, h, m),
        "ma_short": md.moving_average(y, h, max(3, min(m, 13) // 3)),
        "mean": md.moving_average(y, h, p),
        "ses": md.ses(y, h),
        "holt_damped": md.holt_damped(y, h),
        "theta": md.theta(y, h),
        "croston_sba": md.croston_sba(y, h),
        "tsb": md.tsb(y, h),
    }
    lev = np.clip(np.round(np.nan_to_num(adi, posinf=1.0)), 1, 12).astype(np.intp)
    fits["adida"] = md.adida(y, h, lev)
    fits["imapa"] = md.imapa(y, h, np.clip(lev, 1, 6))
    fits["zero"] = md.zero(y, h)
    ph_in = sidx[:, np.arange(p) % m]
    ph_out = sidx[:, (p + np.arange(h)) % m]
    yd = y / ph_in
    for name, fn in (("mean", None), ("ses", md.ses), ("holt_damped", md.holt_damped)):
        f = md.moving_average(yd, h, p) if fn is None else fn(yd, h)
        fits[name + "_s"] = md.Fit(f.mean * ph_out, f.mse, f.alpha, f.trend)
    f = md.theta(yd, h)
    fits["theta_s"] = md.Fit(f.mean * ph_out, f.mse, f.alpha, f.trend)
    for suffix in ("", "_s"):
        parts = [fits[k + suffix] for k in ("ses", "holt_damped", "theta")]
        fits["comb" + suffix] = md.Fit(
            np.mean([q.mean for q in parts], axis=0),
            np.mean([q.mse for q in parts], axis=0),
            np.mean([q.alpha for q in parts], axis=0),
            np.mean([q.trend for q in parts], axis=0),
        )
    return fits


def _eligible_matrix(cls: NDArray[np.int8]) -> NDArray[np.bool_]:
    el = np.zeros((cls.size, len(CANDIDATES)), bool)
    for c, names in ELIGIBLE.items():
        el[np.ix_(cls == c, [_C[nm] for nm in names])] = True
    return el


def _pooled_k2(z2: F64, groups: NDArray[np.int8]) -> F64:
    """Robust pooled mean of clipped z^2 per group (1.0 where no data)."""
    out = np.ones(z2.shape)
    for g in np.unique(groups):
        sel = (groups == g) & np.isfinite(z2)
        if sel.any():
            out[groups == g] = max(float(np.mean(np.minimum(z2[sel], Z2_CLIP))), 0.05)
    return out


def forecast_periodic(
    y: F64,
    *,
    horizon: int,
    season_length: int,
    backtest_h: IP | int,
    category: IP | None = None,
    demand_class: NDArray[np.int8] | None = None,
    n_origins: int = 3,
    origin_step: int | None = None,
    min_train: int = 8,
) -> PeriodicForecast:
    """Backtest, select, fit and calibrate on a panel of periods.

    y: float64 (n, P) period demand (NaN unknown, >= 0); horizon: periods to forecast;
    season_length m (1 = none); backtest_h: int (n,) or scalar, periods that matter;
    category: int (n,) for pooled seasonal profiles; demand_class: int8 (n,)
    (computed from y when None).
    """
    y = np.asarray(y, dtype=float)
    n, p = y.shape
    m = max(int(season_length), 1)
    hb = np.broadcast_to(np.asarray(backtest_h, dtype=np.intp), (n,)).clip(1, None)
    cls = (
        cl.classify(y, min_periods=max(min_train, 4), dead_periods=max(m // 2, 6))
        if demand_class is None
        else np.asarray(demand_class, np.int8)
    )
    eligible = _eligible_matrix(cls)
    h_max = int(hb.max(initial=1))
    step = origin_step or max(h_max // 3, 1)
    ok = ~np.isnan(y)
    dif = np.abs(np.diff(y, axis=1))
    dok = ~np.isnan(dif)
    scale = np.where(dok, dif, 0.0).sum(axis=1) / np.maximum(dok.sum(axis=1), 1)
    level = np.where(ok, y, 0.0).sum(axis=1) / np.maximum(ok.sum(axis=1), 1)
    scale = np.maximum(scale, np.maximum(0.1 * level, 1e-6))
    nc = len(CANDIDATES)
    score_sum = np.zeros((n, nc))
    bias_sum = np.zeros((n, nc))
    n_ok = np.zeros((n, nc))
    z2s, z2s_n = np.zeros((n, nc)), np.zeros((n, nc))
    z2c, z2c_n = np.zeros((n, nc)), np.zeros((n, nc))
    bt_act = np.zeros((n_origins, n))
    bt_ok = np.zeros((n_origins, n), bool)
    bt_mean = np.zeros((n_origins, nc, n))
    bt_var = np.zeros((n_origins, nc, n))
    for j in range(n_origins):
        o = p - h_max - j * step
        if o < min_train:
            break
        yo = y[:, :o]
        trained = ok[:, :o].sum(axis=1) >= min_train
        sidx, _ = seasonal_indices(yo, m, category)
        adi, _ = cl.adi_cv2(yo)
        fits = run_candidates(yo, h_max, m, sidx, adi)
        act = y[:, o : o + h_max]
        win = (np.arange(h_max)[None, :] < hb[:, None]) & ~np.isnan(act) & trained[:, None]
        cnt = win.sum(axis=1)
        good = cnt > 0
        bt_act[j] = np.where(win, act, 0.0).sum(axis=1)
        bt_ok[j] = good
        for name, f in fits.items():
            c = _C[name]
            err = np.where(win, f.mean - np.nan_to_num(act), 0.0)
            cum = err.sum(axis=1)
            per = np.abs(err).sum(axis=1) / np.maximum(cnt, 1)
            sc = 0.5 * np.abs(cum) / (scale * np.maximum(cnt, 1)) + 0.5 * per / scale
            score_sum[good, c] += sc[good]
            bias_sum[good, c] += (cum / (scale * np.maximum(cnt, 1)))[good]
            n_ok[good, c] += 1
            sv = np.maximum(f.mse[:, None] * step_variance_factor(h_max, f.alpha), 1e-12)
            if name.endswith("_s"):
                sv = sv * sidx[:, (o + np.arange(h_max)) % m] ** 2
            z2s[:, c] += np.where(win, np.minimum(err**2 / sv, Z2_OBS_CLIP), 0.0).sum(axis=1)
            z2s_n[:, c] += cnt
            cv = np.maximum(f.mse * cum_variance_factor(cnt.astype(float), f.alpha), 1e-12)
            if name.endswith("_s"):
                cv = cv * (sidx**2).mean(axis=1)
            z2c[good, c] += (cum**2 / cv)[good]
            bt_mean[j, c] = np.where(win, f.mean, 0.0).sum(axis=1)
            bt_var[j, c] = cv
            z2c_n[good, c] += 1
    errors = np.where(eligible & (n_ok > 0), score_sum / np.maximum(n_ok, 1), np.nan)
    fallback = np.array([_C[FALLBACK.get(int(c), ELIGIBLE[int(c)][0])] for c in cls], np.intp)
    has = np.isfinite(errors).any(axis=1)
    best = np.where(has, np.argmin(np.where(np.isfinite(errors), errors, np.inf), axis=1), fallback)
    rows = np.arange(n)
    sidx, lam = seasonal_indices(y, m, category)
    adi, _ = cl.adi_cv2(y)
    fits = run_candidates(y, horizon, m, sidx, adi)
    stack = np.stack([fits[name].mean for name in CANDIDATES], axis=1)
    pick = {
        a: np.stack([getattr(fits[nm], a) for nm in CANDIDATES], 1)[rows, best]
        for a in ("mse", "alpha", "trend")
    }
    mean = stack[rows, best]
    mean[cls == cl.DISCONTINUED] = 0.0
    k2s_own = np.where(
        z2s_n[rows, best] > 0, z2s[rows, best] / np.maximum(z2s_n[rows, best], 1), np.nan
    )
    k2c_own = np.where(
        z2c_n[rows, best] > 0, z2c[rows, best] / np.maximum(z2c_n[rows, best], 1), np.nan
    )
    k2s = _shrink(k2s_own, z2s_n[rows, best], _pooled_k2(k2s_own, cls), PRIOR_WEIGHT_STEP)
    k2c = _shrink(k2c_own, z2c_n[rows, best], _pooled_k2(k2c_own, cls), PRIOR_WEIGHT_CUM)
    k2c = np.maximum(k2c, k2s)
    discrete = np.isin(cls, (cl.INTERMITTENT, cl.LUMPY, cl.NEW, cl.DEAD))
    u = np.stack(
        [
            pit(bt_act[j], bt_mean[j, best, rows], bt_var[j, best, rows] * k2c, discrete)
            for j in range(n_origins)
        ]
    )
    alpha = np.where(cls == cl.NEW, np.maximum(pick["alpha"], NEW_ALPHA_FLOOR), pick["alpha"])
    return PeriodicForecast(
        mean=np.maximum(mean, 0.0),
        model_index=best.astype(np.intp),
        model_names=CANDIDATES,
        candidate_errors=errors,
        bias=np.where(
            n_ok[rows, best] > 0, bias_sum[rows, best] / np.maximum(n_ok[rows, best], 1), np.nan
        ),
        demand_class=cls,
        mse=pick["mse"],
        alpha=alpha,
        trend=pick["trend"],
        k_step=np.sqrt(k2s),
        k_cum=np.sqrt(k2c),
        seasonal_index=sidx,
        seasonal_strength=lam,
        n_periods=p,
        cum_pit=pooled_pit(u, bt_ok & (cls != cl.DISCONTINUED)[None, :], cls),
    )


def _shrink(own: F64, n_obs: F64, pooled: F64, prior: float) -> F64:
    """Posterior-mean style blend of a per-series k^2 with its pooled value."""
    own_c = np.where(np.isfinite(own), np.minimum(own, Z2_CLIP), 0.0)
    w = np.where(np.isfinite(own), n_obs, 0.0)
    return (w * own_c + prior * pooled) / (w + prior)
