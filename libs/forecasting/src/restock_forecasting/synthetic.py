"""Deterministic synthetic daily demand panels for tests and benchmarks.

Not used by the engine. Mix of smooth (with weekday and optional yearly seasonality and
trend), intermittent, lumpy, new and stock-out-censored series.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

KINDS: tuple[str, ...] = ("smooth", "seasonal", "intermittent", "lumpy")


@dataclass(frozen=True)
class SyntheticPanel:
    """y: float64 (n, T) observed sales (0 on stock-out days); censored: bool (n, T);
    expected: float64 (n, T + horizon) true daily mean; first_sale_idx, category: int (n,);
    kind: int (n,) into KINDS."""

    y: NDArray[np.float64]
    censored: NDArray[np.bool_]
    expected: NDArray[np.float64]
    first_sale_idx: NDArray[np.intp]
    category: NDArray[np.intp]
    kind: NDArray[np.intp]
    future: NDArray[np.float64]


def make_panel(
    n: int,
    days: int = 730,
    *,
    horizon: int = 0,
    seed: int = 7,
    n_categories: int = 8,
    stockout_rate: float = 0.3,
    new_rate: float = 0.05,
) -> SyntheticPanel:
    """Generate n series of ``days`` observed days plus ``horizon`` future days.

    ``future`` (n, horizon) holds realised demand after the last observed day.
    """
    rng = np.random.default_rng(seed)
    total = days + horizon
    t = np.arange(total)[None, :]
    kind = rng.choice(len(KINDS), size=n, p=[0.3, 0.2, 0.3, 0.2])
    category = rng.integers(0, n_categories, size=n)
    phase = rng.uniform(0, 2 * np.pi, n_categories)[category][:, None]
    amp = np.where(kind == 1, rng.uniform(0.3, 0.7, n), rng.uniform(0.0, 0.1, n))[:, None]
    yearly = 1 + amp * np.sin(2 * np.pi * t / 365.25 + phase)
    wd_shape = np.array([1.2, 1.1, 1.0, 1.0, 1.1, 0.9, 0.7])
    weekly = wd_shape[t % 7]
    base = np.exp(rng.uniform(np.log(1.0), np.log(30.0), n))[:, None]
    trend = 1 + rng.normal(0, 0.15, n)[:, None] * t / 365.0
    level = np.clip(base * trend, 0.05, None) * yearly * weekly
    smooth = rng.poisson(level).astype(float)
    p_int = rng.uniform(0.02, 0.25, n)[:, None]
    size_int = rng.uniform(1.0, 4.0, n)[:, None]
    occur = rng.random((n, total)) < p_int * yearly
    inter = occur * (1 + rng.poisson(size_int - 1, (n, total)))
    lumpy_size = rng.uniform(3.0, 20.0, n)[:, None]
    lumpy = occur * rng.negative_binomial(1.0, 1.0 / (1.0 + lumpy_size), (n, total))
    is_int = (kind == 2)[:, None]
    is_lumpy = (kind == 3)[:, None]
    demand = np.where(is_int, inter, np.where(is_lumpy, lumpy, smooth)).astype(float)
    expected = np.where(
        is_int,
        p_int * yearly * size_int,
        np.where(is_lumpy, p_int * yearly * lumpy_size, level),
    )
    first = np.where(rng.random(n) < new_rate, rng.integers(days - 120, days - 20, n), 0)
    censored = np.zeros((n, total), bool)
    has_so = rng.random(n) < stockout_rate
    for i in np.flatnonzero(has_so):
        for _ in range(rng.integers(1, 4)):
            s = rng.integers(0, days - 5)
            censored[i, s : s + rng.integers(3, 30)] = True
    censored[:, days:] = False
    before = np.arange(total)[None, :] < first[:, None]
    demand[before] = 0.0
    expected[before] = 0.0
    obs = np.where(censored, 0.0, demand)
    return SyntheticPanel(
        y=obs[:, :days],
        censored=censored[:, :days],
        expected=expected,
        first_sale_idx=first.astype(np.intp),
        category=category.astype(np.intp),
        kind=kind.astype(np.intp),
        future=demand[:, days:],
    )
