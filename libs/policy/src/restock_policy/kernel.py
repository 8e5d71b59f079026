"""Vectorised inventory-policy kernel: forecast contract + stock + settings → plan rows."""

from __future__ import annotations

import numpy as np

from restock_policy import distributions as dist
from restock_policy.inputs import (
    STATUS_DISCONTINUED,
    STATUS_OK,
    STATUS_OVERSTOCKED,
    STATUS_UNDERSTOCKED,
    FloatArr,
    PolicyInputs,
    PolicyResult,
)
from restock_policy.ordering import eoq, order_quantity

_EPS = 1e-9
DAYS_PER_YEAR = 365.0
MAX_COVER_HORIZONS = 10


def _fill_rate(es_ltr: FloatArr, es_lt: FloatArr, review_demand: FloatArr) -> FloatArr:
    """Fill rate 1 − (E[(D_{L+R} − S)+] − E[(D_L − S)+]) / E[D_R], 1 where E[D_R] = 0."""
    short = np.maximum(es_ltr - es_lt, 0.0)
    ok = review_demand > _EPS
    fr = 1.0 - short / np.where(ok, review_demand, 1.0)
    return np.where(ok, np.clip(fr, 0.0, 1.0), 1.0)


def _days_until_stockout(mean_daily: FloatArr, cum_path: FloatArr, available: FloatArr) -> FloatArr:
    """Whole days the mean demand path is covered by ``available`` (n,) → (n,).

    Counts the days d with cumulative mean demand over days 1..d ≤ available; beyond the
    horizon the path continues at its tail rate; inf when demand never exhausts the stock
    within ``MAX_COVER_HORIZONS`` horizons.
    """
    _n, h = mean_daily.shape
    cum = cum_path[:, 1:]
    covered = np.sum(cum <= available[:, None] + _EPS, axis=1).astype(np.float64)
    tail_rate = mean_daily[:, -min(dist.TAIL_WINDOW_DAYS, h) :].mean(axis=1)
    left = available - cum[:, -1]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        extra = np.where(tail_rate > 0, np.floor(left / tail_rate + _EPS), np.inf)
    covered = np.where(covered >= h, h + extra, covered)
    covered = np.where(covered > MAX_COVER_HORIZONS * h, np.inf, covered)
    return np.where(available < 0, 0.0, covered)


def plan(inputs: PolicyInputs) -> PolicyResult:
    """Compute the replenishment plan for all n rows at once (see README for formulas).

    inputs: :class:`PolicyInputs` with n rows → :class:`PolicyResult` of (n,) arrays.
    """
    x = inputs
    k = x.lead_time_nodes
    net = x.on_hand - np.where(x.stock_basis_net, x.committed, 0.0) + x.on_order
    lt = x.lead_time_mean_days
    review = x.review_period_days
    cover = lt + review
    nodes, w = dist.lead_time_nodes(lt, x.lead_time_std_days, k)
    t = np.concatenate([nodes, nodes + review[:, None]], axis=1)
    q = dist.horizon_quantiles(x.cum_quantiles, x.horizons, x.mean_daily, t)
    knots, lv, beta = dist.extend_levels(q, x.levels)
    k_lt, k_ltr = knots[:, :k], knots[:, k:]
    b_lt, b_ltr = beta[:, :k], beta[:, k:]
    path = dist.cumulative_path(x.mean_daily)
    mu = dist.cumulative_mean(x.mean_daily, t, path)
    mu_lt = mu[:, :k] @ w
    mu_ltr = mu[:, k:] @ w
    sl = x.service_level
    q_lt = dist.mixture_quantile(k_lt, lv, b_lt, w, sl)
    q_ltr = dist.mixture_quantile(k_ltr, lv, b_ltr, w, sl)
    q_lt = np.where(x.discrete, np.ceil(q_lt - _EPS), q_lt)
    q_ltr = np.where(x.discrete, np.ceil(q_ltr - _EPS), q_ltr)

    daily_rate = mu_ltr / cover
    ss_units = x.safety_stock_override_units
    ss_days = x.safety_stock_override_days
    override = np.isfinite(ss_units) | np.isfinite(ss_days)
    ss_override = np.where(np.isfinite(ss_units), ss_units, np.nan_to_num(ss_days) * daily_rate)
    safety = np.where(override, ss_override, q_lt - mu_lt)
    rop = np.where(override, mu_lt + ss_override, q_lt)
    out = np.where(override, mu_ltr + ss_override, q_ltr)
    has_min = np.isfinite(x.min_stock)
    rop = np.where(has_min, np.maximum(rop, x.min_stock), rop)
    out = np.maximum(out, rop)
    has_max = np.isfinite(x.max_stock)
    out = np.where(has_max, np.minimum(out, x.max_stock), out)
    rop = np.minimum(rop, out)

    review_demand = mu_ltr - mu_lt
    annual = dist.cumulative_mean(x.mean_daily, np.full((x.n, 1), DAYS_PER_YEAR), path)[:, 0]
    eoq_units = eoq(annual, x.ordering_cost, x.holding_cost_rate, x.unit_cost)

    trigger = (net <= rop + _EPS) & ~x.discontinued
    need = np.where(trigger, np.maximum(out - net, 0.0), 0.0)
    qty, qty_p = order_quantity(
        need,
        net,
        eoq_units,
        x.moq,
        x.order_multiple,
        x.rounding_rule,
        x.max_stock,
        x.purchase_uom_factor,
    )

    dus = _days_until_stockout(x.mean_daily, path, net)
    order_by = np.maximum(dus - lt, 0.0)
    finite = np.isfinite(order_by)
    offset = np.where(finite, np.floor(order_by), 0).astype("timedelta64[D]")
    latest = np.where(finite, x.today + offset, np.datetime64("NaT", "D"))

    pack = np.where(x.order_multiple > 0, x.order_multiple, 1.0)
    peak = np.maximum(out, rop + np.maximum(x.moq, np.nan_to_num(eoq_units))) + pack
    over = (net > peak + _EPS) | (has_max & (net > x.max_stock + _EPS))
    under = net < rop - _EPS
    status = np.where(
        x.discontinued,
        STATUS_DISCONTINUED,
        np.where(under, STATUS_UNDERSTOCKED, np.where(over, STATUS_OVERSTOCKED, STATUS_OK)),
    ).astype(np.int8)
    excess = np.where(
        x.discontinued,
        np.maximum(net - mu_ltr, 0.0),
        np.where(status == STATUS_OVERSTOCKED, np.maximum(net - out, 0.0), 0.0),
    )

    position = net + qty
    es_lt = dist.mixture_expected_shortage(k_lt, lv, b_lt, w, np.stack([out, position, net], 1))
    es_ltr = dist.mixture_expected_shortage(k_ltr, lv, b_ltr, w, np.stack([out, position], 1))
    fill = _fill_rate(es_ltr[:, 0], es_lt[:, 0], review_demand)
    proj_fill = _fill_rate(es_ltr[:, 1], es_lt[:, 1], review_demand)
    shortage = es_lt[:, 2]
    proj_sl = dist.mixture_cdf(k_ltr, lv, b_ltr, w, position)
    return PolicyResult(
        net_position=net,
        lead_time_days=lt,
        cover_days=cover,
        demand_lt_mean=mu_lt,
        demand_ltr_mean=mu_ltr,
        demand_lt_quantile=q_lt,
        demand_ltr_quantile=q_ltr,
        safety_stock=safety,
        reorder_point=rop,
        order_up_to=out,
        expected_fill_rate=fill,
        eoq=eoq_units,
        raw_need=need,
        order_qty=qty,
        order_qty_purchase_uom=qty_p,
        days_until_stockout=dus,
        order_by_days=order_by,
        latest_order_date=latest,
        status=status,
        excess_units=excess,
        excess_value=excess * x.unit_cost,
        shortage_units=shortage,
        shortage_cost=shortage * x.unit_shortage_cost,
        inventory_value=np.maximum(x.on_hand, 0.0) * x.unit_cost,
        projected_service_level=proj_sl,
        projected_fill_rate=proj_fill,
    )
