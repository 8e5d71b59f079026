"""Benchmark: policy kernel on 10,000 rows and 30,000 rows (3 locations), one core.

Run: uv run python bench/bench_policy.py
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"

import time  # noqa: E402

import numpy as np  # noqa: E402
from scipy import stats  # noqa: E402

from restock_forecasting.grid import QUANTILE_HORIZONS_DAYS, QUANTILE_LEVELS  # noqa: E402
from restock_policy import PolicyInputs, plan  # noqa: E402

TARGET_10K_S = 1.0
TARGET_30K_S = 3.0


def make_inputs(n: int, seed: int = 0) -> PolicyInputs:
    """Realistic mixed panel: 70% smooth (gamma), 30% intermittent (negative binomial)."""
    rng = np.random.default_rng(seed)
    hz = np.asarray(QUANTILE_HORIZONS_DAYS, float)
    lv = np.asarray(QUANTILE_LEVELS, float)
    rate = rng.gamma(0.8, 4.0, n)
    season = 1 + 0.3 * np.sin(2 * np.pi * (np.arange(365)[None, :] / 365 + rng.random((n, 1))))
    mean_daily = rate[:, None] * season
    mu = np.cumsum(mean_daily, axis=1)[:, hz.astype(int) - 1]
    var = mu * (1 + rng.gamma(2.0, 1.0, n))[:, None]
    discrete = rng.random(n) < 0.3
    cq = np.empty((n, hz.size, lv.size))
    shape = mu**2 / var
    cq[~discrete] = stats.gamma.ppf(
        lv, shape[~discrete][..., None], scale=(var / mu)[~discrete][..., None]
    )
    r = mu[discrete] ** 2 / (var[discrete] - mu[discrete])
    cq[discrete] = stats.nbinom.ppf(lv, r[..., None], (r / (r + mu[discrete]))[..., None])
    return PolicyInputs(
        mean_daily=mean_daily,
        cum_quantiles=cq,
        discrete=discrete,
        on_hand=rng.gamma(1.0, 60.0, n) - 5.0,
        committed=rng.poisson(2.0, n).astype(float),
        on_order=np.where(rng.random(n) < 0.3, rng.gamma(1.0, 50.0, n), 0.0),
        lead_time_mean_days=rng.choice([7.0, 14.0, 21.0, 30.0, 45.0, 60.0], n),
        lead_time_std_days=rng.choice([0.0, 2.0, 5.0, 10.0], n),
        review_period_days=rng.choice([7.0, 14.0, 30.0], n),
        service_level=rng.choice([0.9, 0.95, 0.98], n),
        moq=rng.choice([0.0, 10.0, 50.0], n),
        order_multiple=rng.choice([1.0, 6.0, 12.0, 24.0], n),
        rounding_rule=rng.integers(0, 2, n),
        max_stock=np.where(rng.random(n) < 0.1, 500.0, np.nan),
        unit_cost=rng.gamma(2.0, 10.0, n),
        holding_cost_rate=0.25,
        ordering_cost=np.where(rng.random(n) < 0.5, 40.0, np.nan),
        unit_shortage_cost=rng.gamma(2.0, 8.0, n),
        purchase_uom_factor=rng.choice([1.0, 1.0, 12.0], n),
        discontinued=rng.random(n) < 0.02,
        today=np.datetime64("2026-03-01"),
    )


def best_of(inp: PolicyInputs, repeats: int = 3) -> float:
    """Best wall time of ``repeats`` runs of the kernel."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        plan(inp)
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    """Print benchmark lines."""
    plan(make_inputs(100))
    t10 = best_of(make_inputs(10_000))
    print(f"policy.kernel_10k_s: {t10:.3f} (target <= {TARGET_10K_S}, 1 core)")
    t30 = best_of(make_inputs(30_000, seed=1))
    print(f"policy.kernel_30k_s: {t30:.3f} (target <= {TARGET_30K_S}, 1 core, 3 locations)")
    print(f"policy.kernel_rows_per_s: {30_000 / t30:,.0f}")


if __name__ == "__main__":
    main()
