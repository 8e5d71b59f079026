"""Purchasing payloads, v1: purchase order lines read from a provider.

Topic ``purchasing.purchase-orders.v1``. Every status is published (Katana DRAFT, Xero
DRAFT / DELETED / BILLED too); the planner decides what is on order.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal
from uuid import UUID

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

PurchaseOrderStatus = Literal[
    "draft", "open", "partially_received", "received", "cancelled", "billed", "deleted"
]
"""Normalised purchase order line status.

Katana: DRAFT -> draft, NOT_RECEIVED -> open, PARTIALLY_RECEIVED -> partially_received,
RECEIVED -> received. Xero: DRAFT -> draft, SUBMITTED / AUTHORISED -> open (received once
a DeliveryDate in the past is set), BILLED -> billed, DELETED -> deleted.
"""


class PurchaseOrderLineRecord(ProviderRecord):
    """One purchase order line with its order's header fields.

    Quantities are in the stock unit (the provider's purchase-unit quantity times
    ``purchase_uom_conversion_rate``); ``unit_price`` is per purchase unit in the order
    ``currency``. ``quantity_remaining`` is what is still expected. ``created_by_restock``
    is set when the provider id matches a PO Restock submitted (``restock_submission_id``).
    """

    po_id: ProviderId
    po_number: str | None = None
    line_id: ProviderId
    supplier_id: ProviderId | None
    location_id: ProviderId
    variant_id: ProviderId
    sku: str | None = None
    quantity_ordered: DecimalStr = Field(ge=0)
    quantity_received: DecimalStr = Field(ge=0)
    quantity_remaining: DecimalStr = Field(ge=0)
    purchase_uom: str | None = None
    purchase_uom_conversion_rate: PositiveDecimalStr = Field(
        default=Decimal(1), description="Stock units per one purchase unit."
    )
    unit_price: DecimalStr | None = None
    currency: CurrencyCode
    fx_rate_to_base: PositiveDecimalStr
    order_date: Instant
    expected_arrival: Instant | None = None
    received_date: Instant | None = None
    raw_status: str
    status: PurchaseOrderStatus
    created_by_restock: bool = False
    restock_submission_id: UUID | None = None


class PurchaseOrderLinesChanged(ProviderHeader):
    """A batch of purchase order lines that were created, changed or deleted at the provider."""

    event_type: Literal["purchasing.purchase_order_lines_changed"] = (
        "purchasing.purchase_order_lines_changed"
    )
    records: list[PurchaseOrderLineRecord] = Field(min_length=1)
