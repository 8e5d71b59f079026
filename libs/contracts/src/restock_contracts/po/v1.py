"""PO submission payloads, v1.

po-gateway publishes :class:`PurchaseOrderSubmissionRequested` on
``po.submission-requests.v1``; the tenant's connector creates the PO at the provider,
idempotently (it first looks the deterministic ``order_number`` up), and answers with
:class:`PurchaseOrderSubmitted` or :class:`PurchaseOrderSubmissionFailed` on
``po.submission-results.v1``. ``submission_id`` + ``attempt`` correlate them.
"""

from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

from pydantic import AwareDatetime, Field, JsonValue, model_validator

from restock_contracts._base import (
    CurrencyCode,
    DecimalStr,
    Event,
    PositiveDecimalStr,
    ProviderId,
    Record,
)

PoSource = Literal["katana", "xero"]
"""Providers that can receive purchase orders."""

ProviderPoStatus = Literal["NOT_RECEIVED", "DRAFT", "SUBMITTED", "AUTHORISED"]
"""Status to create the PO with, in the provider's own vocabulary."""

ALLOWED_CREATE_STATUSES: dict[str, frozenset[str]] = {
    "katana": frozenset({"NOT_RECEIVED", "DRAFT"}),
    "xero": frozenset({"DRAFT", "SUBMITTED", "AUTHORISED"}),
}
"""Statuses each provider accepts on create (Katana DRAFT only on newer API versions)."""


class PurchaseOrderLineRequest(Record):
    """One line to create: quantity in the purchase unit, price in the supplier currency.

    ``variant_id`` is the Katana variant id or the Xero ItemID; ``item_code`` is the Xero
    Item.Code the line item must reference (None for Katana).
    """

    line_id: UUID = Field(description="po-gateway's draft line id.")
    variant_id: ProviderId
    item_code: str | None = None
    description: str | None = None
    quantity: DecimalStr = Field(gt=0, description="In the purchase unit of measure.")
    purchase_uom: str | None = None
    purchase_uom_conversion_rate: PositiveDecimalStr = Field(
        description="Stock units per purchase unit, as used to draft the quantity."
    )
    unit_price: DecimalStr = Field(ge=0, description="Per purchase unit, supplier currency.")


class PurchaseOrderSubmissionRequested(Event):
    """po-gateway asks the tenant's connector to create an approved PO at the provider.

    ``order_number`` is deterministic for the draft, so a retried attempt finds the PO it
    already created instead of creating a second one.
    """

    event_type: Literal["po.submission_requested"] = "po.submission_requested"
    submission_id: UUID
    po_draft_id: UUID
    attempt: int = Field(ge=1)
    connection_id: UUID
    source: PoSource
    supplier_id: ProviderId
    location_id: ProviderId
    order_number: str = Field(min_length=1, max_length=255)
    currency: CurrencyCode
    fx_rate_to_base: PositiveDecimalStr = Field(
        description="Base-currency units per one unit of ``currency``, stored on the draft."
    )
    status: ProviderPoStatus
    expected_arrival: date | None = None
    notes: str | None = None
    lines: list[PurchaseOrderLineRequest] = Field(min_length=1)

    @model_validator(mode="after")
    def _status_fits_source(self) -> PurchaseOrderSubmissionRequested:
        allowed = ALLOWED_CREATE_STATUSES[self.source]
        if self.status not in allowed:
            raise ValueError(
                f"status {self.status!r} cannot be created in {self.source}; "
                f"use one of {sorted(allowed)}"
            )
        return self


class PurchaseOrderSubmitted(Event):
    """The connector created the PO at the provider, or found it already there.

    ``found_existing`` is True when a PO with the same ``order_number`` already existed
    (an earlier attempt succeeded but its result was lost), so nothing new was created.
    """

    event_type: Literal["po.submitted"] = "po.submitted"
    submission_id: UUID
    po_draft_id: UUID
    attempt: int = Field(ge=1)
    connection_id: UUID
    source: PoSource
    provider_po_id: ProviderId
    provider_po_number: str | None
    provider_status: str | None = None
    created_at: AwareDatetime
    found_existing: bool = False


FailureReason = Literal[
    "validation",
    "not_found",
    "duplicate",
    "auth",
    "forbidden",
    "rate_limited",
    "provider_unavailable",
    "connection_missing",
    "not_primary_source",
    "unknown",
]
"""Why a submission failed (``not_found``: supplier, item or location missing)."""


class PurchaseOrderSubmissionFailed(Event):
    """The connector could not create the PO.

    ``retryable`` says whether po-gateway may send another attempt as is (rate limits,
    outages); otherwise a user has to fix the draft or the connection first.
    """

    event_type: Literal["po.submission_failed"] = "po.submission_failed"
    submission_id: UUID
    po_draft_id: UUID
    attempt: int = Field(ge=1)
    connection_id: UUID
    source: PoSource
    reason_code: FailureReason
    message: str
    retryable: bool
    provider_status_code: int | None = None
    provider_details: dict[str, JsonValue] = Field(
        default_factory=dict, description="Provider error body fields, e.g. ValidationErrors."
    )
