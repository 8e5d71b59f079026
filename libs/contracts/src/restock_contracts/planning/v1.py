"""Planning payloads, v1: effective settings (``planning.settings.v1``) and plan updates
(``planning.plans.v1``), both published by the planner.

Precedence of a setting's value: product override > provider value (e.g. Katana variant
lead_time, MOQ) > learned from PO receipts (>= 3 receipts) > supplier setting > global
setting > built-in default. Each value says where it came from.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Generic, Literal, TypeVar
from uuid import UUID

from pydantic import Field

from restock_contracts._base import DecimalStr, Event, ProviderId, Record
from restock_contracts.po.v1 import ProviderPoStatus
from restock_contracts.sales.v1 import SalesStatus

SettingSource = Literal["product_override", "provider", "learned", "supplier", "global", "default"]
"""Where an effective setting value came from."""

SettingKey = Literal[
    "lead_time_days",
    "lead_time_std_days",
    "service_level",
    "review_period_days",
    "forecast_period_override",
    "moq",
    "order_multiple",
    "rounding_rule",
    "min_stock",
    "max_stock",
    "safety_stock_override",
    "holding_cost_rate",
    "ordering_cost",
    "stock_basis",
    "demand_status_policy",
    "po_status_on_create",
    "backtest_horizon_days",
]
"""Names of the settings in :class:`EffectiveSettings`."""

REFORECAST_KEYS: frozenset[str] = frozenset({"demand_status_policy", "backtest_horizon_days"})
"""Settings whose change requires a re-forecast; every other change only re-plans."""

V = TypeVar("V")

NonNegDecimal = Annotated[DecimalStr, Field(ge=0)]


class SettingValue(Record, Generic[V]):
    """An effective value and the level of the precedence chain it came from."""

    value: V
    source: SettingSource


class DecimalSetting(SettingValue[NonNegDecimal]):
    """A non-negative decimal setting (days, quantities, money, rates)."""


class OptionalDecimalSetting(SettingValue[NonNegDecimal | None]):
    """A decimal setting where None means "not set" (no MOQ, no override, ...)."""


class IntSetting(SettingValue[Annotated[int, Field(ge=0)]]):
    """A whole number of days."""


class OptionalIntSetting(SettingValue[Annotated[int, Field(ge=1)] | None]):
    """A whole number of days where None means "not set"."""


class ServiceLevelSetting(SettingValue[Annotated[DecimalStr, Field(gt=0, lt=1)]]):
    """Target cycle service level, a probability in (0, 1), e.g. ``"0.95"``."""


class RoundingRuleSetting(SettingValue[Literal["up", "nearest", "down"]]):
    """How a suggested quantity is rounded to the order multiple."""


class StockBasisSetting(SettingValue[Literal["net", "gross"]]):
    """``net``: on hand - committed + on order; ``gross`` drops committed."""


class DemandStatusPolicySetting(SettingValue[list[SalesStatus]]):
    """Normalised sales statuses that count as demand (default: open, fulfilled, returned)."""


class PoStatusSetting(SettingValue[ProviderPoStatus]):
    """Provider status a Restock PO is created with (Katana NOT_RECEIVED, Xero DRAFT...)."""


class EffectiveSettings(Record):
    """Effective planning settings of one SKU (variant) at one location.

    Lead times and periods in days; ``holding_cost_rate`` is a yearly fraction of unit
    cost; ``ordering_cost`` is in base currency per order; quantities in the stock unit.
    ``forecast_period_override`` is days of cover that replace lead time + review period.
    ``backtest_horizon_days`` (lead time + review period) is what the forecaster scores.
    """

    variant_id: ProviderId
    location_id: ProviderId
    lead_time_days: DecimalSetting
    lead_time_std_days: DecimalSetting
    service_level: ServiceLevelSetting
    review_period_days: IntSetting
    forecast_period_override: OptionalIntSetting
    moq: OptionalDecimalSetting
    order_multiple: OptionalDecimalSetting
    rounding_rule: RoundingRuleSetting
    min_stock: OptionalDecimalSetting
    max_stock: OptionalDecimalSetting
    safety_stock_override: OptionalDecimalSetting
    holding_cost_rate: DecimalSetting
    ordering_cost: DecimalSetting
    stock_basis: StockBasisSetting
    demand_status_policy: DemandStatusPolicySetting
    po_status_on_create: PoStatusSetting
    backtest_horizon_days: IntSetting


class EffectiveSettingsChanged(Event):
    """A batch of effective settings per SKU x location, each value with its source.

    Published for every SKU x location whose effective values changed (and in full when a
    tenant is provisioned); consumers replace what they hold for those keys.
    """

    event_type: Literal["planning.effective_settings_changed"] = (
        "planning.effective_settings_changed"
    )
    settings_version: int = Field(ge=1, description="Increases with every settings change.")
    records: list[EffectiveSettings] = Field(min_length=1)


class SettingsChanged(Event):
    """Settings were edited; says which keys changed and for which scope.

    Consumers use :attr:`requires_reforecast`: only ``demand_status_policy`` and
    ``backtest_horizon_days`` need a re-forecast, everything else re-plans from the stored
    forecast. The new effective values follow as :class:`EffectiveSettingsChanged`.
    """

    event_type: Literal["planning.settings_changed"] = "planning.settings_changed"
    settings_version: int = Field(ge=1)
    scope: Literal["global", "supplier", "product", "learned"]
    scope_id: ProviderId | None = Field(
        default=None, description="Supplier or variant id for those scopes, else None."
    )
    changed_keys: list[SettingKey] = Field(min_length=1)

    @property
    def requires_reforecast(self) -> bool:
        """True when a changed key feeds the forecaster."""
        return not REFORECAST_KEYS.isdisjoint(self.changed_keys)


PlanTrigger = Literal[
    "forecast",
    "settings",
    "stock",
    "sales",
    "purchase_orders",
    "catalog",
    "po_submitted",
    "schedule",
    "manual",
]
"""What made the planner recompute the plan."""


class PlanUpdated(Event):
    """The planner stored a new plan version for the tenant (plan rows over HTTP)."""

    event_type: Literal["planning.plan_updated"] = "planning.plan_updated"
    plan_id: UUID
    plan_version: int = Field(ge=1)
    as_of: date = Field(description="Tenant-local day the plan was computed for.")
    trigger: PlanTrigger
    forecast_run_id: UUID | None = None
    sku_location_count: int = Field(ge=0)
    order_suggestion_count: int = Field(ge=0, description="Rows suggesting a purchase.")
    make_suggestion_count: int = Field(default=0, ge=0)
    stockout_risk_count: int = Field(default=0, ge=0)
    overstock_count: int = Field(default=0, ge=0)
