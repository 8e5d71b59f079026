"""Katana webhook rules (pure): signature check and which records an event touches."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

RESOURCE_ENTITY = {
    "product": "products",
    "material": "materials",
    "variant": "variants",
    "sales_order": "sales_orders",
    "purchase_order": "purchase_orders",
    "purchase_order_row": "purchase_order_rows",
    "current_inventory": "stock",
}
"""Webhook resource -> what the connector re-reads (by id)."""


def signature_ok(token: str, body: bytes, header: str | None) -> bool:
    """``x-sha2-signature`` = hex HMAC-SHA256(token, raw body); constant-time compare."""
    if not header:
        return False
    given = header.strip().lower().removeprefix("sha256=")
    want = hmac.new(token.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(given, want)


def affected(event: Any) -> tuple[str, str] | None:
    """(entity, provider id) an event asks to re-read; None for events the connector ignores.

    Only the object id is used: URLs are built from ids, never from ``href`` (SSRF).
    """
    if not isinstance(event, dict):
        return None
    action = event.get("action")
    resource = event.get("resource_type")
    if not resource and isinstance(action, str):
        resource = action.split(".", 1)[0]
    entity = RESOURCE_ENTITY.get(str(resource))
    obj = event.get("object")
    if entity is None or not isinstance(obj, dict):
        return None
    raw_id = obj.get("id")
    if isinstance(raw_id, bool) or raw_id is None:
        return None
    text = str(raw_id).strip()
    if not text.isdigit():
        return None
    return entity, text
