"""Plain-language arithmetic for one plan row (for the UI's "why this quantity?")."""

from __future__ import annotations

import numpy as np

from restock_policy.inputs import STATUS_NAMES, PolicyInputs, PolicyResult


def _fmt(v: float) -> str:
    """Format a quantity: integers without decimals, others with one decimal."""
    if not np.isfinite(v):
        return "∞" if v > 0 else "n/a"
    r = round(float(v), 1)
    return f"{r:.0f}" if r == int(r) else f"{r:.1f}"


def explain_row(inputs: PolicyInputs, result: PolicyResult, i: int) -> str:
    """Explain row ``i`` of a plan in one paragraph of arithmetic.

    Example: "lead time 21 d + review 14 d → 35 d of demand: mean 410, 95% quantile 470
    (safety stock 60); on hand 120 − committed 0 + on order 100 = net 220 ≤ reorder point
    300 → order 470 − 220 = 250, rounded to 250 by pack size 50".
    """
    x, r = inputs, result
    lt, rv = float(x.lead_time_mean_days[i]), float(x.review_period_days[i])
    sl = float(x.service_level[i])
    parts = [
        f"lead time {_fmt(lt)} d"
        + (f" (± {_fmt(float(x.lead_time_std_days[i]))} d)" if x.lead_time_std_days[i] > 0 else "")
        + f" + review {_fmt(rv)} d → {_fmt(lt + rv)} d of demand: mean "
        f"{_fmt(float(r.demand_ltr_mean[i]))}, {sl:.1%} quantile "
        f"{_fmt(float(r.demand_ltr_quantile[i]))} (safety stock {_fmt(float(r.safety_stock[i]))})"
    ]
    committed = float(x.committed[i]) if x.stock_basis_net[i] else 0.0
    net = float(r.net_position[i])
    rop, out = float(r.reorder_point[i]), float(r.order_up_to[i])
    stock = (
        f"on hand {_fmt(float(x.on_hand[i]))}"
        + (f" − committed {_fmt(committed)}" if committed else "")
        + f" + on order {_fmt(float(x.on_order[i]))} = net {_fmt(net)}"
    )
    parts.append(stock)
    if x.discontinued[i]:
        parts.append(f"discontinued → no order; excess {_fmt(float(r.excess_units[i]))}")
    elif r.raw_need[i] <= 0:
        rel = "≤" if net <= rop else ">"
        parts.append(f"{rel} reorder point {_fmt(rop)} → no order needed")
    else:
        need = float(r.raw_need[i])
        qty = float(r.order_qty[i])
        text = f"≤ reorder point {_fmt(rop)} → order {_fmt(out)} − {_fmt(net)} = {_fmt(need)}"
        rules = []
        if np.isfinite(r.eoq[i]) and r.eoq[i] > need:
            rules.append(f"EOQ {_fmt(float(r.eoq[i]))}")
        if x.moq[i] > need:
            rules.append(f"MOQ {_fmt(float(x.moq[i]))}")
        if x.order_multiple[i] > 1:
            rules.append(f"pack size {_fmt(float(x.order_multiple[i]))}")
        if np.isfinite(x.max_stock[i]):
            rules.append(f"max stock {_fmt(float(x.max_stock[i]))}")
        if qty != need:
            text += f", adjusted to {_fmt(qty)}" + (f" by {', '.join(rules)}" if rules else "")
        if x.purchase_uom_factor[i] != 1:
            text += (
                f" = {_fmt(float(r.order_qty_purchase_uom[i]))} purchase units of "
                f"{_fmt(float(x.purchase_uom_factor[i]))}"
            )
        parts.append(text)
    parts.append(
        f"status {STATUS_NAMES[int(r.status[i])]}; "
        f"stock lasts {_fmt(float(r.days_until_stockout[i]))} d"
    )
    return "; ".join(parts)
