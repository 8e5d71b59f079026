"""Model selection, calibration, the panel contract and explanations."""

from datetime import date

import numpy as np
import pytest

from restock_forecasting import (
    QUANTILE_HORIZONS_DAYS,
    QUANTILE_LEVELS,
    explain,
    forecast_panel,
    forecast_periodic,
)
from restock_forecasting import classify as cl
from restock_forecasting.synthetic import make_panel


def _chosen(f, i):
    return f.model_names[int(f.model_index[i])]


def test_selection_picks_trend_seasonal_and_level_models() -> None:
    rng = np.random.default_rng(3)
    t = np.arange(72.0)
    trend = 50 + 3 * t + rng.normal(0, 1, 72)
    season = 100 * (1 + 0.6 * np.sin(2 * np.pi * t / 12)) + rng.normal(0, 1, 72)
    level = 80 + rng.normal(0, 8, 72)
    f = forecast_periodic(
        np.vstack([trend, season, level]), horizon=12, season_length=12, backtest_h=6
    )
    assert _chosen(f, 0) in {"holt_damped", "theta", "comb", "holt_damped_s", "theta_s", "comb_s"}
    assert _chosen(f, 1) in {"snaive", "ses_s", "holt_damped_s", "theta_s", "comb_s"}
    assert _chosen(f, 2) in {"ses", "ma_short", "comb", "ses_s", "theta", "theta_s", "comb_s"}
    assert f.candidate_errors.shape == (3, len(f.model_names))
    chosen_err = f.candidate_errors[np.arange(3), f.model_index]
    assert np.all(chosen_err == np.nanmin(f.candidate_errors, axis=1))


def test_intermittent_series_get_intermittent_candidates_only() -> None:
    rng = np.random.default_rng(4)
    y = (rng.random((5, 80)) < 0.2) * rng.integers(1, 5, (5, 80))
    f = forecast_periodic(y.astype(float), horizon=4, season_length=52, backtest_h=4)
    assert set(f.demand_class.tolist()) <= {cl.INTERMITTENT, cl.LUMPY}
    assert np.isnan(f.candidate_errors[:, f.model_names.index("holt_damped")]).all()
    assert {_chosen(f, i) for i in range(5)} <= {
        "ma_short",
        "ses",
        "croston_sba",
        "tsb",
        "adida",
        "imapa",
    }


def test_obsolete_series_choose_zero_or_decay_by_backtest() -> None:
    # Stopped selling 30 periods ago: the backtest windows are empty, zero wins and the
    # forecast and every quantile are 0. Stopped 14 periods ago after a spike in the
    # window of the oldest origin: still dead, both candidates scored.
    stopped = np.r_[np.full(50, 4.0), np.zeros(30)]
    f = forecast_periodic(stopped[None, :], horizon=6, season_length=52, backtest_h=4)
    assert f.demand_class[0] == cl.DEAD
    assert _chosen(f, 0) == "zero"
    assert f.candidate_errors[0, f.model_names.index("zero")] == 0.0
    assert np.isfinite(f.candidate_errors[0, f.model_names.index("tsb")])
    assert f.mean[0].tolist() == [0.0] * 6
    assert f.period_quantiles(np.array([0.5, 0.9, 0.99]))[0].max() == 0.0


def test_period_quantile_coverage_on_known_normal() -> None:
    rng = np.random.default_rng(5)
    y = rng.normal(100, 10, (300, 72))
    f = forecast_periodic(y[:, :60], horizon=12, season_length=12, backtest_h=12)
    q = f.period_quantiles(np.array([0.1, 0.5, 0.9]))
    cover = ((y[:, 60:] >= q[..., 0]) & (y[:, 60:] <= q[..., 2])).mean()
    assert 0.74 <= cover <= 0.88
    assert np.abs(f.mean - 100).mean() < 4


def test_discrete_quantiles_for_intermittent_are_integers_and_calibrated() -> None:
    rng = np.random.default_rng(6)
    y = rng.poisson(0.6, (400, 130)).astype(float)
    f = forecast_periodic(y[:, :104], horizon=26, season_length=52, backtest_h=5)
    assert f.discrete.all()
    q = f.period_quantiles(np.array([0.5, 0.9, 0.99]))
    assert np.array_equal(q, np.round(q))
    assert (y[:, 104:] <= q[..., 1]).mean() >= 0.85
    assert (y[:, 104:] <= q[..., 2]).mean() >= 0.97


@pytest.fixture(scope="module")
def panel():
    p = make_panel(300, 730, horizon=365, seed=11)
    disc = np.zeros(300, bool)
    disc[:5] = True
    f = forecast_panel(
        p.y,
        p.censored,
        as_of=date(2024, 12, 31),
        first_sale_idx=p.first_sale_idx,
        category=p.category,
        discontinued=disc,
        backtest_horizon_days=np.full(300, 35),
    )
    return p, f


def test_panel_shapes_and_contract(panel) -> None:
    p, f = panel
    n = 300
    assert f.mean_daily.shape == (n, 365)
    assert f.cum_quantiles.shape == (n, len(QUANTILE_HORIZONS_DAYS), len(QUANTILE_LEVELS))
    assert f.candidate_errors.shape == (n, len(f.model_names))
    assert f.seasonal_index.shape == (n, 52)
    assert f.weekday_profile.shape == (n, 7)
    assert f.outlier_mask.shape == p.y.shape
    q = f.cum_quantiles
    assert (q >= 0).all()
    assert (f.mean_daily >= 0).all()
    assert (np.diff(q, axis=1) >= -1e-9).all()
    assert (np.diff(q, axis=2) >= -1e-9).all()


def test_discontinued_gets_zero_forecast(panel) -> None:
    _, f = panel
    assert (f.mean_daily[:5] == 0).all()
    assert (f.cum_quantiles[:5] == 0).all()
    assert all(f.class_names[c] == "discontinued" for c in f.demand_class[:5])


def test_panel_cumulative_coverage_on_synthetic(panel) -> None:
    p, f = panel
    live = f.demand_class != cl.DISCONTINUED
    cum = np.cumsum(p.future, axis=1)[:, np.array(QUANTILE_HORIZONS_DAYS) - 1]
    lv = list(QUANTILE_LEVELS)
    below_90 = (cum[live] <= f.cum_quantiles[live][:, :, lv.index(0.9)])[:, :6].mean()
    below_50 = (cum[live] <= f.cum_quantiles[live][:, :, lv.index(0.5)])[:, :6].mean()
    assert 0.8 <= below_90 <= 0.97
    assert 0.35 <= below_50 <= 0.65


def test_slow_movers_use_monthly_buckets() -> None:
    y = np.zeros((1, 728))
    y[0, ::45] = 2.0
    f = forecast_panel(y, as_of=date(2024, 12, 31))
    assert f.granularity[0] == "M"
    assert f.bucket_days[0] == 28
    assert f.mean_daily[0].sum() == pytest.approx(2.0 * 365 / 45, rel=0.35)


def test_explain_reports_model_candidates_and_history(panel) -> None:
    _, f = panel
    e = explain(f, 10)
    assert e["model"] in e["candidates"] or not e["candidates"]
    assert e["demand_class"] in cl.CLASS_NAMES
    assert len(e["seasonal_index_by_week"]) == 52
    assert e["history_days_used"] > 0
