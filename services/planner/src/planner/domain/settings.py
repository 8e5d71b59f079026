"""The settings model: keys, validation, float encoding and precedence resolution.

Precedence (architecture §4), first set value wins: product override > provider value
> learned from PO receipts (≥ 3) > supplier setting > global setting > built-in default.
Every key is encoded as float64 with NaN meaning "not set" so resolution over all
SKU × location rows is one vectorised pass per key; choices and lists become codes.
The product-only ``supplier_id`` (text, not in :data:`KEYS`) is resolved on its own:
product setting > provider default supplier > supplier of the SKU's latest PO > none.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np
from numpy.typing import NDArray

from planner.domain.errors import SettingError

FloatArr = NDArray[np.float64]
SOURCES: tuple[str, ...] = (
    "product_override",
    "provider",
    "learned",
    "supplier",
    "global",
    "default",
)
SRC = {name: i for i, name in enumerate(SOURCES)}
SUPPLIER_KEY = "supplier_id"
"""Product-scope setting naming the supplier to order a SKU from (a provider id)."""
SUPPLIER_SOURCES: tuple[str, ...] = ("product_override", "provider", "last_purchase_order", "none")
"""Where a row's effective supplier came from, in precedence order."""
SCOPES = ("global", "supplier", "product")
SALES_STATUSES = ("quote", "draft", "submitted", "open", "fulfilled", "cancelled", "returned")
PO_STATUSES = ("NOT_RECEIVED", "DRAFT", "SUBMITTED", "AUTHORISED")
ROUNDING = ("up", "down")
STOCK_BASIS = ("gross", "net")


@dataclass(frozen=True)
class SettingSpec:
    """One setting: its kind, bounds, default and whether it needs a re-forecast."""

    key: str
    kind: str  # decimal | int | choice | list
    default: Any
    minimum: float = 0.0
    exclusive_min: bool = False
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    optional: bool = False
    reforecast: bool = False
    feeds_horizon: bool = False


SPECS: tuple[SettingSpec, ...] = (
    SettingSpec("lead_time_days", "decimal", Decimal(14), feeds_horizon=True),
    SettingSpec("lead_time_std_days", "decimal", Decimal(0)),
    SettingSpec("service_level", "decimal", Decimal("0.95"), exclusive_min=True, maximum=0.9999),
    SettingSpec("review_period_days", "int", 7, minimum=1, feeds_horizon=True),
    SettingSpec(
        "forecast_period_override", "int", None, minimum=1, optional=True, feeds_horizon=True
    ),
    SettingSpec("moq", "decimal", None, optional=True),
    SettingSpec("order_multiple", "decimal", None, exclusive_min=True, optional=True),
    SettingSpec("rounding_rule", "choice", "up", choices=ROUNDING),
    SettingSpec("min_stock", "decimal", None, optional=True),
    SettingSpec("max_stock", "decimal", None, optional=True),
    SettingSpec("safety_stock_override", "decimal", None, optional=True),
    SettingSpec("safety_stock_override_days", "decimal", None, optional=True),
    SettingSpec("holding_cost_rate", "decimal", Decimal("0.25")),
    SettingSpec("ordering_cost", "decimal", Decimal(0)),
    SettingSpec("stock_basis", "choice", "net", choices=STOCK_BASIS),
    SettingSpec(
        "demand_status_policy",
        "list",
        ["open", "fulfilled", "returned"],
        choices=SALES_STATUSES,
        reforecast=True,
    ),
    SettingSpec("po_status_on_create", "choice", None, choices=PO_STATUSES),
)
SPEC = {s.key: s for s in SPECS}
KEYS: tuple[str, ...] = tuple(s.key for s in SPECS)
"""The float-coded keys (resolved per row in one vectorised pass each)."""
ALL_KEYS: tuple[str, ...] = (*KEYS, SUPPLIER_KEY)
"""Every key a user can set (API and CSV)."""
MAX_ID = 64


def default_po_status(primary_source: str | None) -> str:
    """Katana POs are created NOT_RECEIVED, Xero ones DRAFT (architecture §4)."""
    return "DRAFT" if primary_source == "xero" else "NOT_RECEIVED"


def parse_value(key: str, raw: Any) -> Any:
    """Validate one user-supplied value → canonical JSON-able value (None clears)."""
    spec = SPEC.get(key)
    if spec is None and key != SUPPLIER_KEY:
        raise SettingError(key, f"unknown setting; known: {', '.join(ALL_KEYS)}")
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return None
    if spec is None:
        return _supplier_id(raw)
    if spec.kind == "choice":
        text = str(raw).strip()
        for choice in spec.choices:
            if text.lower() == choice.lower():
                return choice
        raise SettingError(key, f"must be one of {', '.join(spec.choices)}")
    if spec.kind == "list":
        items = raw if isinstance(raw, list) else str(raw).replace(";", "|").split("|")
        out = sorted({str(i).strip().lower() for i in items if str(i).strip()})
        bad = [i for i in out if i not in spec.choices]
        if bad or not out:
            raise SettingError(key, f"statuses must be among {', '.join(spec.choices)}")
        return [s for s in spec.choices if s in out]
    try:
        number = Decimal(str(raw).strip())
    except InvalidOperation:
        raise SettingError(key, f"{raw!r} is not a number") from None
    if not number.is_finite():
        raise SettingError(key, "must be finite")
    if spec.kind == "int" and number != number.to_integral_value():
        raise SettingError(key, "must be a whole number of days")
    low_ok = number > spec.minimum if spec.exclusive_min else number >= spec.minimum
    if not low_ok:
        raise SettingError(key, f"must be {'>' if spec.exclusive_min else '≥'} {spec.minimum:g}")
    if spec.maximum is not None and number > Decimal(str(spec.maximum)):
        raise SettingError(key, f"must be ≤ {spec.maximum:g}")
    return int(number) if spec.kind == "int" else format(number.normalize(), "f")


def _supplier_id(raw: Any) -> str:
    if not isinstance(raw, str | int) or isinstance(raw, bool):
        raise SettingError(SUPPLIER_KEY, "must be a supplier id (text)")
    text = str(raw).strip()
    if len(text) > MAX_ID or any(ord(ch) < 32 for ch in text):
        raise SettingError(SUPPLIER_KEY, f"must be a supplier id of at most {MAX_ID} characters")
    return text


def parse_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """Validate a mapping of settings (None clears a key)."""
    return {key: parse_value(key, raw) for key, raw in values.items()}


def check_scope(scope: str, values: Mapping[str, Any]) -> None:
    """``supplier_id`` is a product setting only; raises SettingError elsewhere."""
    if scope != "product" and values.get(SUPPLIER_KEY) is not None:
        raise SettingError(SUPPLIER_KEY, "only a product setting (per SKU)")


def encode(key: str, value: Any) -> float:
    """Canonical value → float code (NaN: not set)."""
    if value is None:
        return float("nan")
    spec = SPEC[key]
    if spec.kind == "choice":
        return float(spec.choices.index(value))
    if spec.kind == "list":
        return float(sum(1 << spec.choices.index(v) for v in value))
    return float(value)


def decode(key: str, code: float) -> Any:
    """Float code → canonical value (inverse of :func:`encode`)."""
    if not np.isfinite(code):
        return None
    spec = SPEC[key]
    if spec.kind == "choice":
        return spec.choices[int(code)]
    if spec.kind == "list":
        return [c for i, c in enumerate(spec.choices) if int(code) >> i & 1]
    if spec.kind == "int":
        return int(code)
    return format(Decimal(repr(float(code))).normalize(), "f")


def resolve(levels: Sequence[tuple[str, FloatArr]]) -> tuple[FloatArr, NDArray[np.int8]]:
    """First set value per row over the precedence ``levels`` [(source, values (n,))].

    Returns (values (n,), source codes (n,) indexing :data:`SOURCES`); rows no level sets
    get NaN with source "default".
    """
    n = levels[0][1].shape[0]
    value = np.full(n, np.nan)
    source = np.full(n, SRC["default"], dtype=np.int8)
    for name, arr in reversed(levels):
        has = np.isfinite(arr)
        value = np.where(has, arr, value)
        source = np.where(has, np.int8(SRC[name]), source)
    return value, source


CONTRACT_KEY = {"safety_stock_override_days": "safety_stock_override"}
"""Keys the v1 contract names differently (its SettingKey list)."""


def changed_keys(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """Contract names of keys whose value differs, plus ``backtest_horizon_days`` when
    lead time, review period or the forecast period moved (``supplier_id`` is not a
    contract key: it changes the plan, never the forecast)."""
    raw = [k for k in set(before) | set(after) if before.get(k) != after.get(k) and k in SPEC]
    keys = sorted({CONTRACT_KEY.get(k, k) for k in raw})
    if any(SPEC[k].feeds_horizon for k in raw if k in SPEC):
        keys.append("backtest_horizon_days")
    return keys


def requires_reforecast(keys: Sequence[str]) -> bool:
    """Only the demand-status policy and the backtest horizon need a re-forecast."""
    return "demand_status_policy" in keys or "backtest_horizon_days" in keys
