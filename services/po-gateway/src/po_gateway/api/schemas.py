"""Request and response bodies of the purchase-order API."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class LineOut(BaseModel):
    """A purchase-order line: quantity in the purchase unit, price in the order currency."""

    line_id: uuid.UUID
    position: int
    variant_id: str
    sku: str | None
    name: str | None
    uom: str | None
    purchase_uom: str | None
    purchase_uom_factor: Decimal = Field(description="Stock units per purchase unit.")
    quantity: Decimal
    suggested_quantity: Decimal | None
    unit_price: Decimal
    unit_cost_base: Decimal | None = Field(description="Base currency per stock unit (plan).")
    lead_time_days: Decimal | None
    plan_version: int | None


class AttemptOut(BaseModel):
    """One submission attempt and its outcome."""

    attempt: int
    source: str
    connection_id: uuid.UUID
    requested_by: str
    requested_at: datetime
    outcome: str
    reason_code: str | None
    message: str | None
    completed_at: datetime | None


class OrderOut(BaseModel):
    """A purchase order in any status, with lines, totals and what can be done next."""

    model_config = ConfigDict(extra="ignore")

    draft_id: uuid.UUID
    status: str
    allowed_actions: list[str]
    order_number: str
    supplier_id: str
    location_id: str
    currency: str
    base_currency: str
    fx_rate_to_base: Decimal
    fx_source: str = Field(description="base, provider (latest PO seen) or user.")
    expected_arrival: date | None
    notes: str | None
    provider_status: str = Field(description="Status the PO is created with at the provider.")
    plan_version: int
    submission_id: uuid.UUID
    attempt: int
    source: str | None
    connection_id: uuid.UUID | None
    provider_po_id: str | None
    provider_po_number: str | None
    provider_po_status: str | None
    failure_reason: str | None
    failure_message: str | None
    failure_retryable: bool | None
    failure_details: dict[str, Any] | None
    version: int
    created_by: str
    created_at: datetime
    updated_by: str
    updated_at: datetime
    approved_by: str | None
    approved_at: datetime | None
    sent_by: str | None
    sent_at: datetime | None
    submitted_at: datetime | None
    total: Decimal = Field(description="Sum of quantity × unit price, order currency.")
    total_base: Decimal = Field(description="Total in the base currency at the stored FX rate.")
    lines: list[LineOut]
    attempts: list[AttemptOut] | None = None


class PlanLineRef(BaseModel):
    """A plan row chosen on the order plan."""

    variant_id: str
    location_id: str


class DraftsIn(BaseModel):
    """What to draft: every understocked row (empty body), a filter, or chosen lines."""

    supplier_id: str | None = None
    location_id: str | None = None
    lines: list[PlanLineRef] = Field(default_factory=list, max_length=5000)
    fx_rates: dict[str, Decimal] = Field(
        default_factory=dict,
        description="Currency → base units per one unit; beats the latest rate seen.",
    )
    notes: str | None = Field(default=None, max_length=4000)


class Unassigned(BaseModel):
    """A plan row that needs ordering but has no supplier (not drafted)."""

    variant_id: str
    location_id: str
    sku: str | None = None


class DraftsOut(BaseModel):
    """Drafts created, and what was not drafted with the reason."""

    plan_version: int
    drafts: list[OrderOut]
    without_supplier: list[Unassigned]
    not_in_plan: list[PlanLineRef]
    missing_fx: list[str] = Field(description="Currencies without an FX rate; send fx_rates.")


class OrderPatch(BaseModel):
    """Header fields a draft's editor may change."""

    model_config = ConfigDict(extra="forbid")

    expected_arrival: date | None = None
    notes: str | None = None
    fx_rate_to_base: Decimal | None = None


class LinePatch(BaseModel):
    """Line fields a draft's editor may change."""

    model_config = ConfigDict(extra="forbid")

    quantity: Decimal | None = None
    unit_price: Decimal | None = None


class LineIn(BaseModel):
    """A line to add to a draft."""

    model_config = ConfigDict(extra="forbid")

    variant_id: str = Field(min_length=1, max_length=255)
    sku: str | None = None
    name: str | None = None
    uom: str | None = None
    purchase_uom: str | None = None
    purchase_uom_factor: Decimal = Decimal(1)
    quantity: Decimal
    unit_price: Decimal


class AuditEntry(BaseModel):
    """Who did what to an order, and when."""

    action: str
    actor: str
    at: datetime
    details: dict[str, Any]
