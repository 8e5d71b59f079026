"""Purchase-order creation at Xero: request body, idempotency key, outcome classification."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal
from typing import Any

from restock_contracts.po.v1 import PurchaseOrderSubmissionRequested

IDEMPOTENCY_KEY_MAX = 128


def idempotency_key(connection_id: str, order_number: str, body_hash: str) -> str:
    """Deterministic ``Idempotency-Key`` (<= 128 chars) for one PO body."""
    digest = hashlib.sha256(f"{connection_id}|{order_number}|{body_hash}".encode()).hexdigest()
    return f"restock-po-{digest}"[:IDEMPOTENCY_KEY_MAX]


def _money(value: Decimal) -> str:
    return format(value.normalize(), "f")


def po_body(
    request: PurchaseOrderSubmissionRequested, base_currency: str, today: date
) -> dict[str, Any]:
    """The ``PUT /PurchaseOrders`` element for a submission request.

    ``CurrencyRate`` is Xero's direction (document units per base unit), the inverse of
    the contract's ``fx_rate_to_base``; it is sent only for foreign-currency POs.
    """
    element: dict[str, Any] = {
        "PurchaseOrderNumber": request.order_number,
        "Contact": {"ContactID": request.supplier_id},
        "Date": today.isoformat(),
        "Status": request.status,
        "LineAmountTypes": "Exclusive",
        "CurrencyCode": request.currency,
        "Reference": (request.notes or f"Restock {request.po_draft_id}")[:255],
        "LineItems": [
            {
                "ItemCode": line.item_code,
                "Description": line.description or line.item_code,
                "Quantity": _money(line.quantity),
                "UnitAmount": _money(line.unit_price),
            }
            for line in request.lines
        ],
    }
    if request.expected_arrival:
        element["DeliveryDate"] = request.expected_arrival.isoformat()
    if request.currency != base_currency and request.fx_rate_to_base > 0:
        rate = (Decimal(1) / request.fx_rate_to_base).quantize(Decimal("0.000001"))
        element["CurrencyRate"] = _money(rate)
    return {"PurchaseOrders": [element]}


def element_errors(element: dict[str, Any]) -> list[str]:
    """Validation messages of one returned element (``summarizeErrors=false``)."""
    return [
        str(error.get("Message"))
        for error in element.get("ValidationErrors") or []
        if isinstance(error, dict)
    ]


def is_duplicate_number(messages: list[str]) -> bool:
    """Xero's answer when the deterministic number already exists."""
    return any("must be unique" in message.lower() for message in messages)


def failure_reason(status: int) -> tuple[str, bool]:
    """(contract reason code, retryable) for an HTTP status from Xero."""
    if status == 400:
        return "validation", False
    if status == 401:
        return "auth", False
    if status == 403:
        return "forbidden", False
    if status == 404:
        return "not_found", False
    if status == 429:
        return "rate_limited", True
    return "provider_unavailable", True
