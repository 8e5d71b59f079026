"""Property-based invariants of the kernel over random settings."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from restock_policy import PolicyInputs, plan

Make = Callable[..., PolicyInputs]


@settings(max_examples=40, deadline=None)
@given(
    mu=st.floats(0.0, 50.0),
    sigma=st.floats(0.0, 20.0),
    on_hand=st.floats(-100.0, 3000.0),
    lt=st.floats(0.0, 120.0),
    lt_sd=st.floats(0.0, 30.0),
    review=st.floats(1.0, 60.0),
    sl=st.floats(0.5, 0.999),
    moq=st.sampled_from([0.0, 10.0, 500.0]),
    multiple=st.sampled_from([1.0, 6.0, 50.0]),
    rule=st.sampled_from([0, 1]),
)
def test_kernel_invariants(
    mu: float,
    sigma: float,
    on_hand: float,
    lt: float,
    lt_sd: float,
    review: float,
    sl: float,
    moq: float,
    multiple: float,
    rule: int,
) -> None:
    from policy_builders import normal_contract

    md, cq = normal_contract(np.array([mu]), np.array([sigma]))
    inp = PolicyInputs(
        mean_daily=md,
        cum_quantiles=cq,
        on_hand=on_hand,
        lead_time_mean_days=lt,
        lead_time_std_days=lt_sd,
        review_period_days=review,
        service_level=np.array([sl]),
        moq=moq,
        order_multiple=multiple,
        rounding_rule=rule,
    )
    r = plan(inp)
    assert r.reorder_point[0] <= r.order_up_to[0] + 1e-9
    q = r.order_qty[0]
    assert q >= 0
    assert abs(q / multiple - round(q / multiple)) < 1e-9
    if q > 0:
        assert q >= moq
        if rule == 0:
            assert r.net_position[0] + q >= r.order_up_to[0] - 1e-6
    assert 0.0 <= r.expected_fill_rate[0] <= 1.0
    assert 0.0 <= r.projected_service_level[0] <= 1.0
    assert r.shortage_units[0] >= 0
    assert r.status[0] in (0, 1, 2)
    higher = plan(
        PolicyInputs(
            mean_daily=md,
            cum_quantiles=cq,
            on_hand=on_hand,
            lead_time_mean_days=lt,
            lead_time_std_days=lt_sd,
            review_period_days=review,
            service_level=np.array([min(sl + 0.0005, 0.9995)]),
        )
    )
    assert higher.reorder_point[0] >= r.reorder_point[0] - 1e-3 * max(1.0, r.reorder_point[0])
