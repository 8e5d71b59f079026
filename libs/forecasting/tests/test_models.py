"""Known-answer tests for the vectorised recursions."""

import numpy as np
import pytest

from restock_forecasting import models as md


def test_ses_recursion_hand_computed() -> None:
    y = np.array([[1.0, 2.0, 3.0]])
    f = md.ses(y, 2, alphas=(0.5,))
    # level0 = mean(1, 2, 3) = 2; 1.5; 1.75; 2.375
    assert f.mean[0] == pytest.approx([2.375, 2.375])
    assert f.alpha[0] == 0.5


def test_ses_skips_unknown_periods() -> None:
    y = np.array([[1.0, np.nan, 2.0, 3.0]])
    assert md.ses(y, 1, alphas=(0.5,)).mean[0, 0] == pytest.approx(2.375)


def test_ses_picks_alpha_by_one_step_error() -> None:
    rng = np.random.default_rng(0)
    walk = 100 + np.cumsum(rng.normal(0, 5, 200))
    flat = 100 + rng.normal(0, 5, 200)
    f = md.ses(np.vstack([walk, flat]), 1)
    assert f.alpha[0] > 0.5
    assert f.alpha[1] < 0.15


def test_croston_sba_hand_computed() -> None:
    y = np.array([[0.0, 3.0, 0.0, 0.0, 2.0]])
    f = md.croston_sba(y, 3, alpha=0.1)
    # z0 = 2.5, p0 = 5/2; after t=1: z=2.55, p=2.45; after t=4: z=2.495, p=2.505
    assert f.mean[0, 0] == pytest.approx(0.95 * 2.495 / 2.505)
    assert np.all(f.mean[0] == f.mean[0, 0])


def test_tsb_hand_computed() -> None:
    y = np.array([[0.0, 2.0]])
    f = md.tsb(y, 1, alpha=0.1, beta=0.1)
    # prob 0.5 -> 0.45 -> 0.505; size 2
    assert f.mean[0, 0] == pytest.approx(1.01)


def test_tsb_decays_after_demand_stops() -> None:
    y = np.r_[np.ones(20), np.zeros(30)][None, :]
    assert md.tsb(y, 1).mean[0, 0] < 0.1
    assert md.croston_sba(y, 1).mean[0, 0] > 0.5


def test_moving_average_and_mean() -> None:
    y = np.array([[1.0, 2.0, 3.0, 4.0, np.nan, 8.0]])
    assert md.moving_average(y, 1, 3).mean[0, 0] == pytest.approx(6.0)
    assert md.moving_average(y, 1, 6).mean[0, 0] == pytest.approx(3.6)


def test_seasonal_naive_repeats_last_season() -> None:
    y = np.tile(np.arange(4.0), 3)[None, :]
    assert md.seasonal_naive(y, 6, 4).mean[0].tolist() == [0, 1, 2, 3, 0, 1]


def test_holt_damped_follows_linear_trend() -> None:
    y = (10 + 2 * np.arange(40.0))[None, :]
    f = md.holt_damped(y, 3)
    assert f.mean[0, 0] == pytest.approx(90.0, abs=2.0)
    assert f.trend[0] > 1.0


def test_theta_drift_is_half_the_slope() -> None:
    y = (10 + 2 * np.arange(40.0))[None, :]
    f = md.theta(y, 2)
    assert f.trend[0] == pytest.approx(1.0)
    assert f.mean[0, 1] - f.mean[0, 0] == pytest.approx(1.0)


def test_adida_and_imapa_on_regular_intermittent_demand() -> None:
    y = np.tile([0.0, 0.0, 6.0], 20)[None, :]
    a = md.adida(y, 1, np.array([3]))
    i = md.imapa(y, 1, np.array([3]))
    assert a.mean[0, 0] == pytest.approx(2.0)
    assert i.mean[0, 0] == pytest.approx(2.0, rel=0.3)


def test_aggregate_blocks_scales_partial_blocks() -> None:
    y = np.array([[9.0, 1.0, np.nan, 2.0, 2.0]])
    assert md.aggregate_blocks(y, 2).tolist() == [[2.0, 4.0]]
