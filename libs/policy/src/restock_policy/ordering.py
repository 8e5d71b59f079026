"""Order-quantity rules: EOQ, MOQ, pack multiples, max-stock cap, purchase-UoM conversion.

All quantities are in stock units unless stated; all functions are vectorised over rows.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

FloatArr = NDArray[np.float64]

ROUND_UP = 0
"""Rounding rule 0: round up to the pack multiple (availability first; may exceed max stock)."""
ROUND_DOWN_CAP = 1
"""Rounding rule 1: never exceed max stock; round down to the pack multiple."""

_EPS = 1e-9


def eoq(
    annual_demand: FloatArr, ordering_cost: FloatArr, holding_rate: FloatArr, unit_cost: FloatArr
) -> FloatArr:
    """Economic order quantity sqrt(2 D K / (h c)).

    All inputs float64 (n,): D units/year, K money per order, h annual holding rate (fraction
    of unit cost), c money per unit → float64 (n,), NaN where any input is unknown (NaN) or
    non-positive (K, h, c) or D is zero.
    """
    ok = (
        np.isfinite(ordering_cost)
        & np.isfinite(holding_rate)
        & np.isfinite(unit_cost)
        & (ordering_cost > 0)
        & (holding_rate > 0)
        & (unit_cost > 0)
        & (annual_demand > 0)
    )
    denom = np.where(ok, holding_rate * unit_cost, 1.0)
    return np.where(
        ok, np.sqrt(2.0 * np.where(ok, annual_demand * ordering_cost, 0.0) / denom), np.nan
    )


def order_quantity(
    need: FloatArr,
    net_position: FloatArr,
    eoq_units: FloatArr,
    moq: FloatArr,
    multiple: FloatArr,
    rounding_rule: NDArray[np.int_],
    max_stock: FloatArr,
    uom_factor: FloatArr,
) -> tuple[FloatArr, FloatArr]:
    """Turn the raw need (order-up-to − net position, ≥ 0) into an orderable quantity.

    Steps, per row with need > 0 (rows with need 0 order nothing):

    1. EOQ lower bound: q = max(need, EOQ) where EOQ is known.
    2. Max stock (NaN = unset): q = min(q, max(0, max_stock − net_position)).
    3. MOQ: q = max(q, moq).
    4. Pack multiple m: rule 0 → ceil(q / m) m; rule 1 → floor(q / m) m, and with a max
       stock set the result is also floored to the room left under it; a rule-1 result
       below the MOQ becomes 0 (the cap wins over the MOQ).
    5. Purchase UoM: purchase units = ceil(q / factor); stock units = purchase units × factor.

    need, net_position, eoq_units, moq, multiple, max_stock, uom_factor: float64 (n,);
    rounding_rule: int (n,) → (stock_units float64 (n,), purchase_units float64 (n,)).
    """
    active = need > 0
    q = np.where(np.isfinite(eoq_units), np.maximum(need, np.nan_to_num(eoq_units)), need)
    room = np.where(np.isnan(max_stock), np.inf, np.maximum(max_stock - net_position, 0.0))
    q = np.minimum(q, room)
    q = np.maximum(q, moq)
    m = np.where(multiple > 0, multiple, 1.0)
    up = np.ceil(q / m - _EPS) * m
    down = np.floor(np.minimum(q, room) / m + _EPS) * m
    down = np.where(down + _EPS < moq, 0.0, down)
    q = np.where(rounding_rule == ROUND_DOWN_CAP, down, up)
    q = np.where(active, q, 0.0)
    f = np.where(uom_factor > 0, uom_factor, 1.0)
    purchase = np.ceil(q / f - _EPS)
    return purchase * f, purchase
