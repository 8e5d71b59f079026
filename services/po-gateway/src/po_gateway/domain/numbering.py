"""Deterministic identities of a purchase order's submissions.

Every attempt of one draft shares its ``submission_id`` and ``order_number``, so a retry
after a lost result finds the PO the connector already created instead of creating a
second one; the request event id is fixed per (submission, attempt), so a replayed
outbox row is deduplicated by the connector's inbox.
"""

from __future__ import annotations

import uuid

NAMESPACE = uuid.UUID("3b0f8a52-5c1e-4d0b-9a57-2f8c6f0e41a9")
ORDER_PREFIX = "RS-"


def submission_id(draft_id: uuid.UUID) -> uuid.UUID:
    """The submission id shared by every attempt of ``draft_id``."""
    return uuid.uuid5(NAMESPACE, f"submission|{draft_id}")


def order_number(draft_id: uuid.UUID) -> str:
    """A short provider order number, unique per draft (``RS-`` + 12 hex digits)."""
    return ORDER_PREFIX + draft_id.hex[:12].upper()


def request_event_id(submission: uuid.UUID, attempt: int) -> uuid.UUID:
    """Event id of the submission request for ``attempt``."""
    return uuid.uuid5(NAMESPACE, f"request|{submission}|{attempt}")
