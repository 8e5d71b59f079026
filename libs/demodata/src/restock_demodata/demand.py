"""Ground-truth demand parameters and daily demand paths (vectorised)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from restock_demodata.model import DemandClass

CLASSES = (DemandClass.SMOOTH, DemandClass.ERRATIC, DemandClass.INTERMITTENT, DemandClass.LUMPY)
CLASS_SHARES = (0.35, 0.2, 0.3, 0.15)
WEEKDAY = np.array([1.05, 1.0, 1.0, 1.05, 1.2, 0.95, 0.75])


@dataclass(frozen=True, slots=True)
class DemandParams:
    """Per-variant demand truth, every array of shape (n_variants,) unless noted.

    ``cls`` indexes ``CLASSES`` (-1 = no external demand); ``weekday`` is (n, 7);
    ``launch``/``disc`` are day indices (0 = first day, ``n_days`` = never discontinued);
    ``size_mean`` is the mean order size floor; ``high_cv`` selects dispersed sizes.
    """

    cls: np.ndarray
    base: np.ndarray
    trend: np.ndarray
    amp: np.ndarray
    peak: np.ndarray
    weekday: np.ndarray
    launch: np.ndarray
    disc: np.ndarray
    size_mean: np.ndarray
    high_cv: np.ndarray


def draw_params(rng: np.random.Generator, sellable: np.ndarray, n_days: int) -> DemandParams:
    """Draw demand truth for ``sellable`` (bool, shape (n,)) variants."""
    n = sellable.shape[0]
    cls: np.ndarray = np.asarray(rng.choice(4, size=n, p=CLASS_SHARES))
    cls = np.where(sellable, cls, -1)
    base = np.select(
        [cls == 0, cls == 1, cls == 2, cls == 3],
        [
            rng.uniform(2.0, 15.0, n),
            rng.uniform(1.0, 8.0, n),
            rng.uniform(0.08, 0.5, n),
            rng.uniform(0.1, 0.6, n),
        ],
        0.0,
    )
    size_mean = np.select(
        [cls == 2, cls == 3], [rng.uniform(1.5, 3.0, n), rng.uniform(3.0, 8.0, n)], 1.0
    )
    high_cv: np.ndarray = (cls == 1) | (cls == 3)
    trend = np.round(rng.uniform(-0.25, 0.45, n), 3)
    amp = np.round(np.where(rng.random(n) < 0.7, rng.uniform(0.1, 0.6, n), 0.0), 3)
    peak = np.where(rng.random(n) < 0.7, 355, 172) + rng.integers(-20, 21, n)
    weekday = WEEKDAY[None, :] * rng.uniform(0.9, 1.1, size=(n, 7))
    weekday = weekday / weekday.mean(axis=1, keepdims=True)
    u = rng.random(n)
    launch = np.where(u < 0.08, rng.integers(n_days // 2, max(n_days // 2 + 1, n_days - 60), n), 0)
    disc = np.where(
        (u > 0.94) & sellable,
        rng.integers(n_days // 3, max(n_days // 3 + 1, n_days - 90), n),
        n_days,
    )
    return DemandParams(
        cls, base, trend, amp, peak % 365, weekday, launch, disc, size_mean, high_cv
    )


def rate_matrix(
    p: DemandParams, var: np.ndarray, share: np.ndarray, doy: np.ndarray, wday: np.ndarray
) -> np.ndarray:
    """Expected daily demand, shape (n_slots, n_days), for slots of variants ``var``
    (shape (n_slots,)) with location ``share``; ``doy``/``wday`` have shape (n_days,)."""
    n_days = doy.shape[0]
    t = np.arange(n_days)[None, :] / 365.0
    v = var[:, None]
    level = np.maximum(1.0 + p.trend[v] * t, 0.05)
    season = 1.0 + p.amp[v] * np.cos(2 * np.pi * (doy[None, :] - p.peak[v]) / 365.25)
    live = (np.arange(n_days)[None, :] >= p.launch[v]) & (np.arange(n_days)[None, :] < p.disc[v])
    rate = (p.base[v] * share[:, None]) * level * season * p.weekday[v, wday[None, :]]
    return np.where(live, rate, 0.0)


def sample_demand(
    rng: np.random.Generator, p: DemandParams, var: np.ndarray, rate: np.ndarray
) -> np.ndarray:
    """Daily demand quantities (float, integer-valued), shape like ``rate``."""
    size_mean = np.maximum(p.size_mean[var][:, None], rate / 0.95)
    prob = np.where(size_mean > 0, rate / size_mean, 0.0)
    occurs = rng.random(rate.shape) < prob
    extra = np.maximum(size_mean - 1.0, 0.0)
    k = 0.6
    lam = np.where(p.high_cv[var][:, None], rng.gamma(k, 1.0, rate.shape) * extra / k, extra)
    sizes = 1.0 + rng.poisson(lam)
    return np.where(occurs, sizes, 0.0)
