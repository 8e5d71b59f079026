"""Response models of the planner API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field


class PlanListRow(BaseModel):
    """One SKU × location of the order plan (stock units, base currency), as listed."""

    variant_id: str
    location_id: str
    plan_version: int
    sku: str | None
    name: str | None
    category: str | None
    supplier_id: str | None
    supplier_name: str | None
    supplier_currency: str | None
    status: str = Field(description="ok | understocked | overstocked | discontinued")
    status_text: str | None = Field(
        description='What to do and by when, e.g. "order 300 now: stock lasts 10 d, lead time 21 d"'
    )
    action: str = Field(description="buy | make | none")
    demand_class: str | None
    has_forecast: bool
    on_hand: float | None
    committed: float | None
    on_order: float | None
    provisional_on_order: float | None = Field(description="Sent by Restock, not yet synced.")
    net_position: float | None
    lead_time_days: float | None
    lead_time_std_days: float | None
    review_period_days: float | None
    service_level: float | None
    demand_lt_mean: float | None
    demand_ltr_mean: float | None
    demand_ltr_quantile: float | None
    dependent_demand_daily: float | None
    safety_stock: float | None
    reorder_point: float | None
    order_up_to: float | None
    eoq: float | None
    moq: float | None
    order_multiple: float | None
    raw_need: float | None
    order_qty: float | None
    uom: str | None
    purchase_uom: str | None
    purchase_uom_factor: float | None
    order_qty_purchase_uom: float | None
    unit_cost: float | None
    days_until_stockout: float | None = Field(description="null: stock lasts beyond 10 years")
    latest_order_date: date | None
    excess_units: float | None
    excess_value: float | None
    shortage_units: float | None
    shortage_cost: float | None
    inventory_value: float | None
    expected_fill_rate: float | None
    projected_service_level: float | None
    projected_fill_rate: float | None
    rolled_up_locations: list[str]
    po_status_on_create: str | None


class PlanRow(PlanListRow):
    """One SKU × location with its arithmetic (the row endpoint and the CSV carry it)."""

    explanation: str | None = Field(description="The row's arithmetic in plain words.")


class PlanPageInfo(BaseModel):
    """A page of the order plan without its rows: paging, total and plan version."""

    page: int
    page_size: int
    total: int
    total_pages: int
    plan_version: int
    as_of: date | None
    computed_at: datetime | None


class PlanPage(PlanPageInfo):
    """A page of the order plan, with the plan version it comes from."""

    items: list[PlanListRow]


class PurchaseRow(BaseModel):
    """A plan row po-gateway drafts from (stable contract, see README)."""

    variant_id: str
    sku: str | None
    name: str | None
    location_id: str
    supplier_id: str | None
    supplier_currency: str | None
    uom: str | None
    purchase_uom: str | None
    purchase_uom_factor: float = Field(description="Stock units per purchase unit.")
    order_qty: float = Field(description="Suggested quantity in stock units.")
    order_qty_purchase_uom: float = Field(description="Whole purchase units to order.")
    unit_cost: float | None = Field(description="Base currency per stock unit.")
    lead_time_days: float
    latest_order_date: date | None
    po_status_on_create: str


class PurchaseRows(BaseModel):
    plan_version: int
    as_of: date | None
    items: list[PurchaseRow]


class ScopeSettings(BaseModel):
    """Stored values of one settings scope (only the keys set at this level)."""

    scope: str
    scope_id: str
    location_id: str
    values: dict[str, Any]
    version: int


class SettingsPatch(BaseModel):
    """Keys to set; null clears a key so the next precedence level applies."""

    values: dict[str, Any]


class EffectiveView(BaseModel):
    """Settings in effect for one SKU × location: value and source per key, learned values."""

    variant_id: str
    location_id: str
    plan_version: int
    settings: dict[str, Any]


class CsvRowError(BaseModel):
    row: int
    column: str | None
    message: str


class ImportResult(BaseModel):
    applied: bool
    rows: int
    changed_scopes: int
    errors: list[CsvRowError]


class UrgentItem(BaseModel):
    variant_id: str
    location_id: str
    sku: str | None
    name: str | None
    status: str
    action: str
    order_qty: float | None
    days_until_stockout: float | None
    latest_order_date: date | None


class Dashboard(BaseModel):
    """Headline figures of the current plan (money in base currency)."""

    plan_version: int
    as_of: date | None
    sku_locations: int
    understocked_count: int
    overstocked_count: int
    discontinued_count: int
    understocked_expected_lost_sales_value: float
    understocked_expected_shortage_units: float
    suggested_purchase_value: float
    overstocked_excess_value: float
    overstocked_excess_units: float
    capital_that_could_be_freed: float
    inventory_value: float
    projected_service_level: float | None
    rows_without_cost: int
    most_urgent: list[UrgentItem]
