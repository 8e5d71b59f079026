"""Xero webhook payloads: signature check and the events worth re-reading."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

RELOADABLE = {"INVOICE", "CONTACT", "CREDITNOTE"}
"""Categories the connector re-reads (Xero sends no ITEM or PURCHASEORDER events)."""


def signature_ok(key: str, body: bytes, header: str | None) -> bool:
    """``x-xero-signature`` = base64(HMAC-SHA256(key, raw body)), compared in constant time."""
    if not key or not header:
        return False
    expected = base64.b64encode(hmac.new(key.encode(), body, hashlib.sha256).digest()).decode()
    return hmac.compare_digest(expected, header.strip())


@dataclass(frozen=True)
class WebhookEvent:
    """One thin event: which organisation, which record, which kind."""

    xero_tenant_id: str
    category: str
    resource_id: str


def parse_events(body: bytes) -> list[WebhookEvent]:
    """Events of a signed body (intent-to-receive bodies have none).

    Only ids are kept: provider URLs are always rebuilt from them, never taken from the
    payload's ``resourceUrl``.
    """
    data: Any = json.loads(body or b"{}")
    events = []
    for raw in data.get("events") or []:
        if not isinstance(raw, dict):
            continue
        category = str(raw.get("eventCategory") or "").upper()
        tenant, resource = raw.get("tenantId"), raw.get("resourceId")
        if category in RELOADABLE and tenant and resource and _is_uuid(str(resource)):
            events.append(WebhookEvent(str(tenant), category, str(resource)))
    return events


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
