"""Backtest PIT and the recalibrated levels of cumulative-demand quantiles."""

import numpy as np
import pytest
from scipy import stats

from restock_forecasting.calibration import PRIOR_PIT, calibrated_levels, pit, pooled_pit


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


def test_levels_follow_backtest_pit_and_never_narrow() -> None:
    levels = np.array([0.5, 0.8, 0.9])
    # class 0: realisations always above the forecast median (u uniform on 0.5..1);
    # class 1: too wide (u concentrated around 0.5) -> left alone; class 2 has no data.
    u0 = np.linspace(0.5, 1.0, 200)
    u1 = np.linspace(0.45, 0.55, 200)
    groups = np.array([0, 1, 2], np.int8)
    u = np.zeros((200, 3))
    u[:, 0], u[:, 1] = u0, u1
    ok = np.ones((200, 3), bool)
    ok[:, 2] = False
    pits = pooled_pit(u, ok, groups)
    assert pits[2].size == 0
    out = calibrated_levels(pits, groups, levels)
    emp = 0.5 + 0.5 * levels
    assert out[0] == pytest.approx((200 * emp + PRIOR_PIT * levels) / (200 + PRIOR_PIT))
    assert out[1].tolist() == levels.tolist()
    assert out[2].tolist() == levels.tolist()
    assert (np.diff(out, axis=1) >= 0).all()
