"""Field validation for edits and the checks before an order may be approved or sent."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

MAX_NOTES = 4000
MAX_QUANTITY = Decimal("1000000000")


def _error(field: str, message: str) -> dict[str, str]:
    return {"field": field, "message": message}


def header_errors(changes: Mapping[str, Any], today: date) -> list[dict[str, str]]:
    """Errors in a header edit (``expected_arrival``, ``notes``, ``fx_rate_to_base``)."""
    errors = []
    arrival = changes.get("expected_arrival")
    if arrival is not None and arrival < today:
        errors.append(_error("expected_arrival", f"must be today ({today}) or later"))
    notes = changes.get("notes")
    if notes is not None and len(notes) > MAX_NOTES:
        errors.append(_error("notes", f"at most {MAX_NOTES} characters"))
    rate = changes.get("fx_rate_to_base")
    if rate is not None and rate <= 0:
        errors.append(_error("fx_rate_to_base", "must be greater than 0"))
    return errors


def line_errors(changes: Mapping[str, Any], prefix: str = "") -> list[dict[str, str]]:
    """Errors in a line's ``quantity``, ``unit_price`` or ``purchase_uom_factor``."""
    errors = []
    quantity = changes.get("quantity")
    if quantity is not None and not (0 < quantity <= MAX_QUANTITY):
        errors.append(_error(prefix + "quantity", "must be greater than 0"))
    price = changes.get("unit_price")
    if price is not None and price < 0:
        errors.append(_error(prefix + "unit_price", "must not be negative"))
    factor = changes.get("purchase_uom_factor")
    if factor is not None and factor <= 0:
        errors.append(_error(prefix + "purchase_uom_factor", "must be greater than 0"))
    return errors


def ready_errors(
    header: Mapping[str, Any], lines: Sequence[Mapping[str, Any]], today: date
) -> list[dict[str, str]]:
    """Why a draft cannot be approved yet (no lines, bad quantities, arrival in the past)."""
    errors = []
    if not lines:
        errors.append(_error("lines", "a purchase order needs at least one line"))
    for i, line in enumerate(lines):
        errors.extend(line_errors(line, prefix=f"lines[{i}]."))
    arrival = header.get("expected_arrival")
    if arrival is not None and arrival < today:
        errors.append(_error("expected_arrival", f"is in the past ({arrival}); move it"))
    return errors
