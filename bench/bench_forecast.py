"""Benchmark: full recompute of the forecast engine on synthetic daily panels.

10,000 series x 2 years daily (fixed seed, mix of smooth / seasonal / intermittent /
lumpy with stock-outs and new products), backtest model choice, full forecast contract.
Also the 3-location run (30,000 series) and statsforecast AutoETS on a sample of the
same weekly series, scaled to 10,000.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_var, "2")

import time  # noqa: E402
import warnings  # noqa: E402
from datetime import date  # noqa: E402

import numpy as np  # noqa: E402

from restock_forecasting import forecast_panel  # noqa: E402
from restock_forecasting.cleaning import mask_unknown, to_buckets  # noqa: E402
from restock_forecasting.synthetic import make_panel  # noqa: E402

AS_OF = date(2024, 12, 31)
ETS_SAMPLE = 200


def _run(n: int, seed: int) -> tuple[float, int]:
    p = make_panel(n, 730, seed=seed)
    t0 = time.perf_counter()
    f = forecast_panel(
        p.y,
        p.censored,
        as_of=AS_OF,
        first_sale_idx=p.first_sale_idx,
        category=p.category,
        backtest_horizon_days=np.full(n, 35),
    )
    return time.perf_counter() - t0, int(f.mean_daily.shape[0])


def _autoets_seconds(n_sample: int) -> float:
    from statsforecast.models import AutoETS

    p = make_panel(n_sample, 730, seed=1)
    wb = to_buckets(mask_unknown(p.y, p.censored, p.first_sale_idx), 7)
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i in range(n_sample):
            yi = wb[i][~np.isnan(wb[i])]
            try:
                AutoETS(season_length=52).forecast(y=yi, h=53)
            except NotImplementedError:
                continue
    return time.perf_counter() - t0


def main() -> None:
    _run(500, 99)
    t10, n10 = _run(10_000, 1)
    print(f"forecast.full_recompute_10k_s: {t10:.1f} (target <= 120; {n10} series x 730 days)")
    print(f"forecast.series_per_s_10k: {n10 / t10:.0f}")
    t30, n30 = _run(30_000, 2)
    print(f"forecast.full_recompute_30k_3loc_s: {t30:.1f} ({n30} series; {t30 / t10:.2f}x 10k)")
    ets = _autoets_seconds(ETS_SAMPLE)
    ets10k = ets / ETS_SAMPLE * 10_000
    print(
        f"forecast.autoets_weekly_10k_est_s: {ets10k:.1f} "
        f"(measured {ets:.1f} s on {ETS_SAMPLE} series, season 52, model fit only)"
    )
    print(f"forecast.autoets_over_engine_ratio: {ets10k / t10:.1f}")


if __name__ == "__main__":
    main()
