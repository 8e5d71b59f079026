"""Kernel formulas against hand-computed values."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from policy_builders import poisson_contract
from scipy import stats

from restock_policy import STATUS_NAMES, PolicyInputs, explain_row, plan

Make = Callable[..., PolicyInputs]
SIG_L = 3 * np.sqrt(21)
SIG_LR = 3 * np.sqrt(35)


def test_normal_case_rop_out_safety_stock(normal_inputs: Make) -> None:
    r = plan(normal_inputs(on_hand=100.0))
    z = stats.norm.ppf(0.95)
    assert r.reorder_point[0] == pytest.approx(210 + z * SIG_L)
    assert r.order_up_to[0] == pytest.approx(350 + z * SIG_LR)
    assert r.safety_stock[0] == pytest.approx(z * SIG_L)
    assert r.demand_lt_mean[0] == pytest.approx(210)
    assert r.demand_ltr_mean[0] == pytest.approx(350)
    assert r.order_qty[0] == np.ceil(350 + z * SIG_LR - 100)


def test_normal_case_fill_rate_from_loss_function(normal_inputs: Make) -> None:
    r = plan(normal_inputs(on_hand=100.0))
    z = stats.norm.ppf(0.95)
    loss = SIG_LR * (stats.norm.pdf(z) - z * stats.norm.sf(z))
    assert r.expected_fill_rate[0] == pytest.approx(1 - loss / 140, abs=5e-4)


def test_discrete_poisson_quantiles_are_integers() -> None:
    md, cq = poisson_contract(np.array([0.3, 0.3]))
    inp = PolicyInputs(
        mean_daily=md,
        cum_quantiles=cq,
        on_hand=np.array([2.0, 9.0]),
        lead_time_mean_days=14.0,
        review_period_days=7.0,
        discrete=True,
        service_level=np.array([0.95, 0.9]),
    )
    r = plan(inp)
    np.testing.assert_array_equal(r.reorder_point, stats.poisson.ppf([0.95, 0.9], 4.2))
    np.testing.assert_array_equal(r.order_up_to, stats.poisson.ppf([0.95, 0.9], 6.3))
    assert r.safety_stock[0] == pytest.approx(stats.poisson.ppf(0.95, 4.2) - 4.2)
    assert r.order_qty[0] == stats.poisson.ppf(0.95, 6.3) - 2


def test_discrete_off_grid_horizon_rounds_up() -> None:
    md, cq = poisson_contract(np.array([0.3]))
    r = plan(
        PolicyInputs(
            mean_daily=md,
            cum_quantiles=cq,
            on_hand=0.0,
            lead_time_mean_days=10.0,
            review_period_days=7.0,
            discrete=True,
        )
    )
    assert r.reorder_point[0] == np.ceil(r.reorder_point[0])
    assert stats.poisson.ppf(0.95, 2.1) <= r.reorder_point[0] <= stats.poisson.ppf(0.95, 4.2)


def test_lead_time_std_zero_equals_no_mixing_and_std_raises_rop(normal_inputs: Make) -> None:
    a = plan(normal_inputs(lead_time_std_days=0.0))
    b = plan(normal_inputs(lead_time_std_days=np.nan))
    c = plan(normal_inputs(lead_time_std_days=5.0))
    assert a.reorder_point[0] == b.reorder_point[0] == pytest.approx(210 + 1.6448536 * SIG_L)
    assert c.reorder_point[0] > a.reorder_point[0] + 30
    assert c.demand_lt_mean[0] == pytest.approx(210)


def test_off_grid_lead_time_interpolates(normal_inputs: Make) -> None:
    r = plan(normal_inputs(lead_time_mean_days=24.5, review_period_days=7.0))
    lo = 210 + 1.6448536 * SIG_L
    hi = 280 + 1.6448536 * 3 * np.sqrt(28)
    assert r.reorder_point[0] == pytest.approx(0.5 * (lo + hi))


def test_service_level_extremes(normal_inputs: Make) -> None:
    r = plan(normal_inputs(service_level=np.array([0.5, 0.999]), mu=[10.0, 10.0], sigma=3.0))
    assert r.reorder_point[0] == pytest.approx(210)
    assert r.reorder_point[1] == pytest.approx(210 + stats.norm.ppf(0.999) * SIG_L, rel=0.01)
    assert r.reorder_point[1] > 210 + stats.norm.ppf(0.995) * SIG_L


def test_cover_beyond_forecast_horizon(normal_inputs: Make) -> None:
    r = plan(normal_inputs(lead_time_mean_days=380.0, review_period_days=20.0))
    z = stats.norm.ppf(0.95)
    assert r.demand_ltr_mean[0] == pytest.approx(4000)
    assert r.order_up_to[0] == pytest.approx(4000 + z * 3 * np.sqrt(365) * np.sqrt(400 / 365))


def _point(make: Make, **kw: object) -> PolicyInputs:
    """Deterministic demand 10/day: ROP 210, order-up-to 350."""
    kw.setdefault("sigma", 0.0)
    return make(**kw)


@pytest.mark.parametrize(
    ("kw", "qty"),
    [
        ({}, 250),
        ({"order_multiple": 40.0}, 280),
        ({"order_multiple": 40.0, "rounding_rule": 1}, 240),
        ({"moq": 300.0}, 300),
        ({"moq": 300.0, "order_multiple": 40.0}, 320),
        ({"moq": 10_000.0}, 10_000),
        ({"max_stock": 300.0, "order_multiple": 30.0}, 210),
        ({"max_stock": 300.0, "order_multiple": 30.0, "rounding_rule": 1}, 180),
        ({"max_stock": 300.0, "moq": 250.0, "rounding_rule": 1}, 0),
        ({"purchase_uom_factor": 12.0}, 252),
    ],
)
def test_order_rounding_rules(normal_inputs: Make, kw: dict[str, float], qty: float) -> None:
    r = plan(_point(normal_inputs, on_hand=100.0, **kw))
    assert r.order_qty[0] == qty


def test_purchase_uom_conversion(normal_inputs: Make) -> None:
    r = plan(_point(normal_inputs, on_hand=100.0, purchase_uom_factor=12.0))
    assert r.order_qty_purchase_uom[0] == 21
    assert r.raw_need[0] == 250


def test_eoq_value_and_lower_bound(normal_inputs: Make) -> None:
    kw = {"unit_cost": 4.0, "holding_cost_rate": 0.25, "ordering_cost": 50.0}
    r = plan(_point(normal_inputs, on_hand=100.0, **kw))
    assert r.eoq[0] == pytest.approx(np.sqrt(2 * 3650 * 50 / (0.25 * 4)))
    assert r.order_qty[0] == 605
    r2 = plan(_point(normal_inputs, on_hand=100.0, **{**kw, "ordering_cost": np.nan}))
    assert np.isnan(r2.eoq[0])
    assert r2.order_qty[0] == 250


def test_days_until_stockout_and_latest_order_date() -> None:
    md = np.concatenate([np.full(10, 5.0), np.full(355, 10.0)])[None, :].repeat(4, axis=0)
    md[2] = 0.0
    md[3] = 1.0
    cq = np.zeros((4, 13, 9))
    inp = PolicyInputs(
        mean_daily=md,
        cum_quantiles=cq,
        on_hand=np.array([100.0, -5.0, 50.0, 400.0]),
        lead_time_mean_days=np.array([7.0, 7.0, 7.0, 21.0]),
        today=np.datetime64("2026-03-01"),
    )
    r = plan(inp)
    np.testing.assert_array_equal(r.days_until_stockout, [15, 0, np.inf, 400])
    assert r.latest_order_date[0] == np.datetime64("2026-03-09")
    assert r.latest_order_date[1] == np.datetime64("2026-03-01")
    assert np.isnat(r.latest_order_date[2])
    assert r.order_by_days[3] == 379


def test_statuses_and_excess(normal_inputs: Make) -> None:
    inp = _point(
        normal_inputs,
        mu=np.array([10.0, 10, 10, 10, 10, 0]),
        on_hand=np.array([100.0, 300, 400, 300, 300, 300]),
        max_stock=np.array([np.nan, np.nan, np.nan, 250, np.nan, np.nan]),
        discontinued=np.array([False, False, False, False, True, True]),
        unit_cost=2.0,
    )
    r = plan(inp)
    assert [STATUS_NAMES[s] for s in r.status] == [
        "understocked",
        "ok",
        "overstocked",
        "overstocked",
        "discontinued",
        "discontinued",
    ]
    np.testing.assert_allclose(r.excess_units, [0, 0, 50, 50, 0, 300])
    np.testing.assert_allclose(r.excess_value, [0, 0, 100, 100, 0, 600])
    np.testing.assert_array_equal(r.order_qty[4:], 0)
    assert r.status_names()[0] == "understocked"


def test_negative_stock_and_stock_basis(normal_inputs: Make) -> None:
    inp = _point(
        normal_inputs,
        on_hand=-20.0,
        committed=5.0,
        on_order=np.array([0.0, 0.0]),
        mu=np.array([10.0, 10.0]),
        stock_basis_net=np.array([True, False]),
        unit_cost=2.0,
    )
    r = plan(inp)
    np.testing.assert_array_equal(r.net_position, [-25, -20])
    np.testing.assert_array_equal(r.order_qty, [375, 370])
    np.testing.assert_array_equal(r.inventory_value, 0.0)
    np.testing.assert_array_equal(r.days_until_stockout, 0.0)


def test_zero_demand(normal_inputs: Make) -> None:
    r = plan(_point(normal_inputs, mu=np.array([0.0, 0.0]), on_hand=np.array([0.0, 5.0])))
    np.testing.assert_array_equal(r.order_qty, 0)
    np.testing.assert_array_equal(r.safety_stock, 0)
    np.testing.assert_array_equal(r.days_until_stockout, np.inf)
    np.testing.assert_array_equal(r.shortage_units, 0)
    assert [STATUS_NAMES[s] for s in r.status] == ["ok", "overstocked"]
    np.testing.assert_array_equal(r.expected_fill_rate, 1.0)


def test_missing_lead_time_is_rejected(normal_inputs: Make) -> None:
    with pytest.raises(ValueError, match="lead_time_mean_days"):
        normal_inputs(lead_time_mean_days=np.array([np.nan]))


def test_bad_shapes_and_settings_rejected(normal_inputs: Make) -> None:
    with pytest.raises(ValueError, match="service_level"):
        normal_inputs(service_level=1.0)
    with pytest.raises(ValueError, match="not broadcastable"):
        normal_inputs(on_hand=np.zeros(3))
    with pytest.raises(ValueError, match="review_period_days"):
        normal_inputs(review_period_days=0.0)


def test_shortage_and_costs(normal_inputs: Make) -> None:
    r = plan(_point(normal_inputs, on_hand=100.0, unit_shortage_cost=2.0, unit_cost=3.0))
    assert r.shortage_units[0] == pytest.approx(110)
    assert r.shortage_cost[0] == pytest.approx(220)
    assert r.inventory_value[0] == pytest.approx(300)
    assert r.projected_service_level[0] == pytest.approx(1.0)
    r2 = plan(normal_inputs(on_hand=150.0))
    z = -60 / SIG_L
    assert r2.shortage_units[0] == pytest.approx(
        SIG_L * (stats.norm.pdf(z) - z * stats.norm.sf(z)), rel=0.01
    )


def test_safety_stock_overrides_and_min_stock(normal_inputs: Make) -> None:
    inp = normal_inputs(
        mu=np.full(3, 10.0),
        sigma=3.0,
        safety_stock_override_units=np.array([50.0, np.nan, np.nan]),
        safety_stock_override_days=np.array([9.0, 3.0, np.nan]),
        min_stock=np.array([np.nan, np.nan, 500.0]),
    )
    r = plan(inp)
    np.testing.assert_allclose(r.safety_stock[:2], [50, 30])
    np.testing.assert_allclose(r.reorder_point, [260, 240, 500])
    np.testing.assert_allclose(r.order_up_to[:2], [400, 380])
    assert r.order_up_to[2] == pytest.approx(500)


def test_explain_row_shows_the_arithmetic(normal_inputs: Make) -> None:
    inp = _point(normal_inputs, on_hand=120.0, on_order=30.0, order_multiple=50.0)
    text = explain_row(inp, plan(inp), 0)
    assert "lead time 21 d + review 14 d → 35 d of demand: mean 350" in text
    assert "net 150" in text
    assert "order 350 − 150 = 200" in text
    assert "understocked" in text
    r2 = _point(normal_inputs, on_hand=120.0, order_multiple=50.0)
    assert "adjusted to 250 by pack size 50" in explain_row(r2, plan(r2), 0)


def test_discrete_flag_from_demand_class() -> None:
    from restock_policy import discrete_from_class

    got = discrete_from_class(np.array(["smooth", "Intermittent", "lumpy", "erratic"]))
    assert got.tolist() == [False, True, True, False]
