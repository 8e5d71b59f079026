"""Sales payloads, v1: sales lines read from a provider (``sales.lines.v1``).

Connectors publish every line they read with its raw status (quotes, drafts, voided
invoices too); consumers decide what counts as demand with the planner's
``demand_status_policy`` setting, so changing the policy never needs a reload.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from restock_contracts._base import (
    CurrencyCode,
    DecimalStr,
    Instant,
    PositiveDecimalStr,
    ProviderHeader,
    ProviderId,
    ProviderRecord,
)

SalesStatus = Literal["quote", "draft", "submitted", "open", "fulfilled", "cancelled", "returned"]
"""Normalised status of a sales line.

Katana: PENDING -> quote; NOT_SHIPPED, PARTIALLY_PACKED, PACKED, PARTIALLY_DELIVERED ->
open; DELIVERED -> fulfilled. Xero ACCREC: DRAFT -> draft; SUBMITTED -> submitted;
AUTHORISED -> open; PAID -> fulfilled; VOIDED, DELETED -> cancelled. Credit notes ->
returned (with ``is_return=True``). Default demand policy: open, fulfilled, returned.
"""


class SalesLineRecord(ProviderRecord):
    """One sales line: a Katana sales-order row, a Xero ACCREC invoice line or credit-note line.

    ``quantity`` is positive and in the stock unit; a return (``is_return=True``) reduces
    demand on ``original_sale_date`` when known, else on ``order_date``. ``unit_price`` is
    in the order ``currency``; ``base_amount`` is the line total (after discounts, before
    tax) in the tenant's base currency; ``fx_rate_to_base`` converts one unit of
    ``currency`` into base currency (1 when they are the same).
    """

    order_id: ProviderId
    line_id: ProviderId
    order_number: str | None = None
    customer_id: ProviderId | None = None
    variant_id: ProviderId
    sku: str | None = None
    location_id: ProviderId
    order_date: Instant = Field(description="Order (Katana) or invoice (Xero) instant.")
    delivery_date: date | None = Field(default=None, description="Due / delivery day.")
    quantity: DecimalStr = Field(ge=0)
    unit_price: DecimalStr | None = None
    currency: CurrencyCode
    fx_rate_to_base: PositiveDecimalStr
    base_amount: DecimalStr | None = None
    raw_status: str
    status: SalesStatus
    is_return: bool = False
    original_sale_date: Instant | None = None


class SalesLinesChanged(ProviderHeader):
    """A batch of sales lines that were created, changed or deleted at the provider."""

    event_type: Literal["sales.lines_changed"] = "sales.lines_changed"
    records: list[SalesLineRecord] = Field(min_length=1)
