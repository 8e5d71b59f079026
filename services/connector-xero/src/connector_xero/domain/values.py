"""Small value helpers: decimals, FX, time zones, content hashes, status maps."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal, InvalidOperation
from typing import Any

XERO_TIME_ZONES: dict[str, str] = {
    "NEWZEALANDSTANDARDTIME": "Pacific/Auckland",
    "AUSEASTERNSTANDARDTIME": "Australia/Sydney",
    "EAUSTRALIASTANDARDTIME": "Australia/Brisbane",
    "CENAUSTRALIASTANDARDTIME": "Australia/Adelaide",
    "AUSCENTRALSTANDARDTIME": "Australia/Darwin",
    "TASMANIASTANDARDTIME": "Australia/Hobart",
    "WAUSTRALIASTANDARDTIME": "Australia/Perth",
    "GMTSTANDARDTIME": "Europe/London",
    "GREENWICHSTANDARDTIME": "Atlantic/Reykjavik",
    "WEUROPESTANDARDTIME": "Europe/Berlin",
    "ROMANCESTANDARDTIME": "Europe/Paris",
    "CENTRALEUROPEANSTANDARDTIME": "Europe/Warsaw",
    "FLESTANDARDTIME": "Europe/Kiev",
    "EASTERNSTANDARDTIME": "America/New_York",
    "CENTRALSTANDARDTIME": "America/Chicago",
    "MOUNTAINSTANDARDTIME": "America/Denver",
    "PACIFICSTANDARDTIME": "America/Los_Angeles",
    "SINGAPORESTANDARDTIME": "Asia/Singapore",
    "SOUTHAFRICASTANDARDTIME": "Africa/Johannesburg",
    "UTC": "UTC",
}
"""Xero ``Organisation.Timezone`` (Windows zone ids, upper-cased) -> IANA names."""

SALES_STATUS = {
    "DRAFT": "draft",
    "SUBMITTED": "submitted",
    "AUTHORISED": "open",
    "PAID": "fulfilled",
    "VOIDED": "cancelled",
    "DELETED": "cancelled",
}
"""ACCREC invoice status -> normalised sales status (contract ``SalesStatus``)."""


def iana_zone(xero_zone: str | None) -> str | None:
    """IANA name for a Xero time zone id, or None when unknown."""
    if not xero_zone:
        return None
    if "/" in xero_zone or xero_zone == "UTC":
        return xero_zone
    return XERO_TIME_ZONES.get(xero_zone.upper().replace(" ", ""))


def dec(value: Any, default: Decimal | None = None) -> Decimal | None:
    """A Decimal from a JSON number or string (floats via ``repr`` so 0.1 stays 0.1)."""
    if value is None or value == "":
        return default
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return default


def fx_to_base(currency_rate: Any) -> Decimal:
    """Base units per one document-currency unit: the inverse of Xero's ``CurrencyRate``.

    Xero's rate is document-currency units per one base unit (1 when the same currency).
    """
    rate = dec(currency_rate)
    if rate is None or rate <= 0:
        return Decimal(1)
    result = Decimal(1) / rate
    return result.quantize(Decimal("0.0000000001")).normalize()


def content_hash(data: dict[str, Any], exclude: tuple[str, ...] = ()) -> str:
    """Stable sha256 of a JSON-able record, without the ``exclude`` keys."""
    body = {k: v for k, v in data.items() if k not in exclude}
    raw = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(raw.encode()).hexdigest()
