"""Backtest PIT and the recalibrated levels of cumulative-demand quantiles."""

from datetime import date

import numpy as np
import pytest
from scipy import stats

from restock_forecasting import engine
from restock_forecasting.calibration import (
    LEVEL_MAX,
    MIN_PIT,
    PRIOR_PIT,
    QUANTILE_RATIO_MAX,
    TAIL_SHRINK_MAX,
    calibrated_levels,
    cap_quantiles,
    pit,
    pooled_pit,
)
from restock_forecasting.panel import forecast_panel


def test_pit_known_values() -> None:
    x = np.array([10.0, 0.0, 2.0, 3.0, 5.0])
    mean = np.array([10.0, 0.0, 2.0, 2.0, 5.0])
    var = np.array([4.0, 1.0, 2.0, 6.0, 0.0])
    disc = np.array([False, True, True, True, False])
    u = pit(x, mean, var, disc)
    assert u[0] == pytest.approx(stats.gamma.cdf(10.0, 25.0, scale=0.4))
    assert u[1] == 0.5  # zero mean: all mass at 0, mid-PIT
    assert u[2] == pytest.approx(0.5 * (stats.poisson.cdf(1, 2) + stats.poisson.cdf(2, 2)))
    r = 2.0**2 / (6.0 - 2.0)
    nb = stats.nbinom(r, r / (r + 2.0))
    assert u[3] == pytest.approx(0.5 * (nb.cdf(2) + nb.cdf(3)))
    assert u[4] == 0.5  # no spread, realised at the mean


def test_levels_follow_backtest_pit_within_bounds() -> None:
    levels = np.array([0.5, 0.8, 0.9, 0.99, 0.995])
    # class 0: realisations always above the forecast median (u uniform on 0.5..1), so the
    # shrunk empirical levels 0.4 + 0.6 tau are capped at 1 - (1 - tau) / 1.5 and 0.995;
    # class 1: the same bias but fewer than MIN_PIT values -> nominal;
    # class 2: too wide (u around 0.5) -> never narrowed; class 3: u always 0.6, only the
    # median moves, to (400 * 0.6 + 50 * 0.5) / 450; class 4: no data.
    k = 400
    u = np.zeros((k, 5))
    u[:200, 0] = np.linspace(0.5, 1.0, 200)
    u[:, 1] = 1.0
    u[:, 2] = np.linspace(0.45, 0.55, k)
    u[:, 3] = 0.6
    ok = np.ones((k, 5), bool)
    ok[200:, 0] = False
    ok[MIN_PIT - 1 :, 1] = False
    ok[:, 4] = False
    groups = np.arange(5, dtype=np.int8)
    pits = pooled_pit(u, ok, groups)
    assert [pits[g].size for g in range(5)] == [200, MIN_PIT - 1, k, k, 0]
    out = calibrated_levels(pits, groups, levels)
    assert TAIL_SHRINK_MAX == 1.5 and LEVEL_MAX == 0.995 and PRIOR_PIT == 50.0
    assert out[0] == pytest.approx([2 / 3, 0.8 + 0.2 / 3, 0.9 + 0.1 / 3, 0.99 + 0.01 / 3, 0.995])
    for g in (1, 2, 4):
        assert out[g].tolist() == levels.tolist()
    assert out[3] == pytest.approx([265 / 450, 0.8, 0.9, 0.99, 0.995])
    assert (np.diff(out, axis=1) >= 0).all()


def test_cap_quantiles_known_values() -> None:
    nominal = np.array([[0.0, 2.0, 10.0, 100.0]])
    recal = np.array([[3.0, 2.5, 20.0, 120.0]])
    assert QUANTILE_RATIO_MAX == 1.5
    assert cap_quantiles(recal, nominal).tolist() == [[1.0, 2.5, 15.0, 120.0]]


def test_recalibration_cannot_multiply_a_cumulative_quantile(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A level shift up (every backtest realisation above the forecast) on heavy-tailed
    demand: with levels up to 0.999 this gave single quantiles ~15x the nominal ones."""
    rng = np.random.default_rng(3)
    n, t = 120, 400
    rate = rng.gamma(1.0, 3.0, (n, 1)) * np.where(np.arange(t) < t - 60, 1.0, 4.0)
    y = rng.negative_binomial(0.5, 0.5 / (0.5 + rate)).astype(float)
    calibrated = forecast_panel(y, as_of=date(2024, 6, 30)).cum_quantiles

    def nominal_levels(pits: object, groups: np.ndarray, levels: np.ndarray) -> np.ndarray:
        return np.broadcast_to(levels, (groups.size, len(levels))).copy()

    monkeypatch.setattr(engine, "calibrated_levels", nominal_levels)
    nominal = forecast_panel(y, as_of=date(2024, 6, 30)).cum_quantiles
    assert (calibrated > nominal * 1.2 + 1e-9).any()  # the recalibration is active here
    assert (calibrated >= nominal - 1e-9).all()
    assert (calibrated <= np.maximum(1.5 * nominal, nominal + 1.0) + 1e-9).all()
