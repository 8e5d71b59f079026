"""Kernel input and output containers (dataclasses of arrays; n rows = SKU × location)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
from numpy.typing import NDArray

from restock_forecasting.grid import QUANTILE_HORIZONS_DAYS, QUANTILE_LEVELS

FloatArr = NDArray[np.float64]
BoolArr = NDArray[np.bool_]
IntArr = NDArray[np.int_]

STATUS_OK = 0
STATUS_UNDERSTOCKED = 1
STATUS_OVERSTOCKED = 2
STATUS_DISCONTINUED = 3
STATUS_NAMES: tuple[str, ...] = ("ok", "understocked", "overstocked", "discontinued")

DISCRETE_CLASSES = frozenset({"intermittent", "lumpy"})


def discrete_from_class(demand_class: NDArray[Any]) -> BoolArr:
    """Map demand-class labels (n,) to the discrete flag: intermittent/lumpy → True."""
    labels = np.char.lower(np.asarray(demand_class, dtype=str))
    return np.isin(labels, sorted(DISCRETE_CLASSES))


def _nan() -> FloatArr:
    return np.array(np.nan)


def _zero() -> FloatArr:
    return np.array(0.0)


def _one() -> FloatArr:
    return np.array(1.0)


_BOOL_FIELDS = ("discrete", "stock_basis_net", "discontinued")
_INT_FIELDS = ("rounding_rule",)
_SHAPED = ("mean_daily", "cum_quantiles", "horizons", "levels", "today", "lead_time_nodes")


@dataclass
class PolicyInputs:
    """Inputs of :func:`restock_policy.plan`. Per-row fields accept scalars (broadcast to n).

    Forecast contract: mean_daily float64 (n, H) expected demand on days 1..H after today;
    cum_quantiles float64 (n, G, L) quantiles of demand over days 1..h for h in ``horizons``
    (G,) at ``levels`` (L,) (levels must start at 0.5); discrete bool (n,) — the row's demand
    class is intermittent/lumpy, so quantiles are integers and results are rounded up.

    Stock (stock units, (n,)): on_hand (may be negative), committed, on_order,
    stock_basis_net (True: net position subtracts committed; False: gross).

    Policy (n,): lead_time_mean_days (NaN is rejected: the caller resolves the settings
    precedence and passes a default), lead_time_std_days (NaN → 0), review_period_days
    (≥ 1), service_level (target cycle service level in (0, 1)), moq, order_multiple,
    rounding_rule (0 round up, 1 round down / cap at max stock), min_stock, max_stock,
    safety_stock_override_units, safety_stock_override_days (NaN = unset),
    purchase_uom_factor (stock units per purchase unit), discontinued.

    Money (base currency, (n,); NaN = unknown): unit_cost, holding_cost_rate (annual
    fraction of unit cost), ordering_cost (per order), unit_shortage_cost (lost margin per
    unit of unmet demand). today: datetime64[D] scalar for order-by dates.
    """

    mean_daily: FloatArr
    cum_quantiles: FloatArr
    on_hand: FloatArr
    lead_time_mean_days: FloatArr
    horizons: FloatArr = field(default_factory=lambda: np.array(QUANTILE_HORIZONS_DAYS, float))
    levels: FloatArr = field(default_factory=lambda: np.array(QUANTILE_LEVELS, float))
    discrete: BoolArr = field(default_factory=lambda: np.array(False))
    committed: FloatArr = field(default_factory=_zero)
    on_order: FloatArr = field(default_factory=_zero)
    stock_basis_net: BoolArr = field(default_factory=lambda: np.array(True))
    lead_time_std_days: FloatArr = field(default_factory=_zero)
    review_period_days: FloatArr = field(default_factory=lambda: np.array(7.0))
    service_level: FloatArr = field(default_factory=lambda: np.array(0.95))
    moq: FloatArr = field(default_factory=_zero)
    order_multiple: FloatArr = field(default_factory=_one)
    rounding_rule: IntArr = field(default_factory=lambda: np.array(0))
    min_stock: FloatArr = field(default_factory=_nan)
    max_stock: FloatArr = field(default_factory=_nan)
    safety_stock_override_units: FloatArr = field(default_factory=_nan)
    safety_stock_override_days: FloatArr = field(default_factory=_nan)
    unit_cost: FloatArr = field(default_factory=_nan)
    holding_cost_rate: FloatArr = field(default_factory=_nan)
    ordering_cost: FloatArr = field(default_factory=_nan)
    unit_shortage_cost: FloatArr = field(default_factory=_nan)
    purchase_uom_factor: FloatArr = field(default_factory=_one)
    discontinued: BoolArr = field(default_factory=lambda: np.array(False))
    today: np.datetime64 = field(default_factory=lambda: np.datetime64("today", "D"))
    lead_time_nodes: int = 7

    def __post_init__(self) -> None:
        """Coerce dtypes, broadcast per-row scalars to (n,) and validate shapes."""
        self.mean_daily = np.asarray(self.mean_daily, dtype=np.float64)
        self.cum_quantiles = np.asarray(self.cum_quantiles, dtype=np.float64)
        self.horizons = np.asarray(self.horizons, dtype=np.float64)
        self.levels = np.asarray(self.levels, dtype=np.float64)
        self.today = np.datetime64(np.asarray(self.today, dtype="datetime64[D]").item(), "D")
        if self.mean_daily.ndim != 2 or self.cum_quantiles.ndim != 3:
            raise ValueError("mean_daily must be (n, H) and cum_quantiles (n, G, L)")
        n = self.mean_daily.shape[0]
        expected = (n, self.horizons.size, self.levels.size)
        if self.cum_quantiles.shape != expected:
            raise ValueError(f"cum_quantiles shape {self.cum_quantiles.shape} != {expected}")
        for f in fields(self):
            if f.name in _SHAPED:
                continue
            dtype: type = bool if f.name in _BOOL_FIELDS else float
            if f.name in _INT_FIELDS:
                dtype = int
            value: NDArray[Any] = np.asarray(getattr(self, f.name), dtype=dtype)
            try:
                setattr(self, f.name, np.broadcast_to(value, (n,)).copy())
            except ValueError as exc:
                raise ValueError(
                    f"{f.name}: shape {value.shape} not broadcastable to ({n},)"
                ) from exc
        self._validate()

    @property
    def n(self) -> int:
        """Number of rows."""
        return int(self.mean_daily.shape[0])

    def _validate(self) -> None:
        bad = np.flatnonzero(
            ~np.isfinite(self.lead_time_mean_days) | (self.lead_time_mean_days < 0)
        )
        if bad.size:
            raise ValueError(
                f"lead_time_mean_days missing or negative in rows {bad[:10].tolist()}: "
                "resolve the settings precedence (override > provider > learned > supplier > "
                "global default) before planning"
            )
        if np.any(~(self.review_period_days >= 1)):
            raise ValueError("review_period_days must be >= 1 (daily review at least)")
        sl = self.service_level
        if np.any(~((sl > 0) & (sl < 1))):
            raise ValueError("service_level must lie in (0, 1)")
        if np.any(~np.isfinite(self.mean_daily)) or np.any(self.mean_daily < 0):
            raise ValueError("mean_daily must be finite and non-negative")
        if np.any(~np.isfinite(self.cum_quantiles)):
            raise ValueError("cum_quantiles must be finite")
        if np.any(~np.isin(self.rounding_rule, (0, 1))):
            raise ValueError("rounding_rule must be 0 (round up) or 1 (round down / cap)")
        if self.lead_time_nodes < 1:
            raise ValueError("lead_time_nodes must be >= 1")


@dataclass
class PolicyResult:
    """Outputs of :func:`restock_policy.plan`; every array is (n,) in stock units unless noted.

    net_position: on hand − committed (net basis) + on order.
    lead_time_days / cover_days: mean lead time L and L + R (days).
    demand_lt_mean / demand_ltr_mean: E[D_L], E[D_{L+R}].
    demand_lt_quantile / demand_ltr_quantile: mixed quantiles of D_L, D_{L+R} at the service level.
    safety_stock: Q_L(SL) − E[D_L] (or the override). reorder_point, order_up_to.
    expected_fill_rate: fill rate of the order-up-to level (backorder formula).
    eoq: economic order quantity (NaN unknown). raw_need: order-up-to − net (if triggered).
    order_qty: suggested order in stock units after EOQ/MOQ/multiple/max/UoM rules;
    order_qty_purchase_uom: the same in whole purchase units.
    days_until_stockout: whole days the mean path is covered by the net position (inf: never).
    order_by_days: max(0, days_until_stockout − L); latest_order_date: datetime64[D] (NaT: never).
    status: int8 codes (see STATUS_NAMES). excess_units / excess_value.
    shortage_units: E[(D_L − net)+] if nothing is ordered now; shortage_cost (money).
    inventory_value: max(on hand, 0) × unit cost. projected_service_level:
    P(D_{L+R} ≤ net + order_qty); projected_fill_rate: fill rate at net + order_qty.
    """

    net_position: FloatArr
    lead_time_days: FloatArr
    cover_days: FloatArr
    demand_lt_mean: FloatArr
    demand_ltr_mean: FloatArr
    demand_lt_quantile: FloatArr
    demand_ltr_quantile: FloatArr
    safety_stock: FloatArr
    reorder_point: FloatArr
    order_up_to: FloatArr
    expected_fill_rate: FloatArr
    eoq: FloatArr
    raw_need: FloatArr
    order_qty: FloatArr
    order_qty_purchase_uom: FloatArr
    days_until_stockout: FloatArr
    order_by_days: FloatArr
    latest_order_date: NDArray[np.datetime64]
    status: NDArray[np.int8]
    excess_units: FloatArr
    excess_value: FloatArr
    shortage_units: FloatArr
    shortage_cost: FloatArr
    inventory_value: FloatArr
    projected_service_level: FloatArr
    projected_fill_rate: FloatArr

    def status_names(self) -> NDArray[np.str_]:
        """Status labels (n,) such as "understocked"."""
        return np.asarray(STATUS_NAMES)[self.status]
