"""Distribution numerics: horizon interpolation, level extension, mixing, expected shortage."""

from __future__ import annotations

import numpy as np
import pytest
from policy_builders import HZ, LV, normal_contract
from scipy import stats

from restock_policy import distributions as dist


def test_horizon_interpolation_is_linear_in_h_between_grid_points() -> None:
    cq = np.repeat((HZ**2)[None, :, None], LV.size, axis=2)
    md = np.ones((1, 365))
    q = dist.horizon_quantiles(cq, HZ, md, np.array([[10.0, 3.5, 14.0]]))
    assert q[0, 0, 0] == pytest.approx(49 + 3 / 7 * (196 - 49))
    assert q[0, 1, 4] == pytest.approx(24.5)
    assert q[0, 2, 8] == pytest.approx(196.0)


def test_horizon_beyond_grid_extrapolates_mean_linearly_and_spread_by_sqrt() -> None:
    md, cq = normal_contract(np.array([10.0]), np.array([3.0]))
    q = dist.horizon_quantiles(cq, HZ, md, np.array([[400.0]]))
    expected = 4000 + (cq[0, -1, :] - 3650) * np.sqrt(400 / 365)
    np.testing.assert_allclose(q[0, 0], expected)


def test_cumulative_mean_fractional_and_beyond_horizon() -> None:
    md = np.concatenate([np.full(337, 1.0), np.full(28, 2.0)])[None, :]
    got = dist.cumulative_mean(md, np.array([[2.5, 365.0, 370.0]]))
    np.testing.assert_allclose(got, [[2.5, 337 + 56, 337 + 56 + 10]])


def test_extend_levels_reflects_about_median_and_floors_at_zero() -> None:
    q = np.array([[[10.0, 12, 13, 14, 15, 16, 17, 18, 30]]])
    knots, ext, beta = dist.extend_levels(q, LV)
    assert ext[0] == pytest.approx(0.005)
    assert ext[8] == pytest.approx(0.5)
    assert knots[0, 0, 0] == pytest.approx(0.0)
    assert knots[0, 0, 7] == pytest.approx(8.0)
    assert beta[0, 0] == pytest.approx(12 / np.log(2))


def test_expected_shortage_matches_normal_loss_function() -> None:
    _md, cq = normal_contract(np.array([10.0]), np.array([3.0]))
    knots, ext, beta = dist.extend_levels(cq[:, [2], :], LV)
    sigma = 3 * np.sqrt(21)
    for s in (150.0, 210.0, 230.0):
        z = (s - 210) / sigma
        loss = sigma * (stats.norm.pdf(z) - z * stats.norm.sf(z))
        got = dist.mixture_expected_shortage(knots, ext, beta, np.ones(1), np.array([s]))[0]
        assert got == pytest.approx(loss, rel=0.03, abs=0.05)


def test_expected_shortage_of_point_mass() -> None:
    knots = np.full((1, 1, 17), 210.0)
    ext = np.concatenate([1 - LV[:0:-1], LV])
    got = dist.mixture_expected_shortage(
        knots, ext, np.zeros((1, 1)), np.ones(1), np.array([100.0])
    )
    assert got[0] == pytest.approx(110.0)


def test_cdf_and_quantile_are_inverse_at_grid_levels() -> None:
    _md, cq = normal_contract(np.array([10.0, 2.0]), np.array([3.0, 1.0]))
    knots, ext, beta = dist.extend_levels(cq[:, [3], :], LV)
    for s in (0.5, 0.8, 0.95, 0.99):
        q = dist.mixture_quantile(knots, ext, beta, np.ones(1), np.full(2, s))
        np.testing.assert_allclose(q, cq[:, 3, list(LV).index(s)])
        np.testing.assert_allclose(dist.mixture_cdf(knots, ext, beta, np.ones(1), q), s)


def test_lead_time_nodes_preserve_mean_and_std() -> None:
    nodes, w = dist.lead_time_nodes(np.array([21.0, 10.0]), np.array([5.0, 0.0]), 7)
    assert w.sum() == pytest.approx(1.0)
    assert nodes[0].mean() == pytest.approx(21.0)
    assert nodes[0].std() == pytest.approx(5.0)
    np.testing.assert_array_equal(nodes[1], 10.0)


def test_mixture_quantile_matches_monte_carlo() -> None:
    md, cq = normal_contract(np.array([10.0]), np.array([3.0]))
    nodes, w = dist.lead_time_nodes(np.array([21.0]), np.array([5.0]), 7)
    q = dist.horizon_quantiles(cq, HZ, md, nodes)
    knots, ext, beta = dist.extend_levels(q, LV)
    got = dist.mixture_quantile(knots, ext, beta, w, np.array([0.95]))[0]
    rng = np.random.default_rng(7)
    lt = rng.gamma((21 / 5) ** 2, 25 / 21, 400_000)
    d = rng.normal(10 * lt, 3 * np.sqrt(lt))
    assert got == pytest.approx(np.quantile(d, 0.95), rel=0.01)
