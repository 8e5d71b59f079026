"""The event envelope every message on the bus travels in (architecture §2).

``Envelope[P]`` wraps one payload model. ``event_id`` is deterministic where the event is
derived from provider data (see :func:`derived_event_id`), so re-reading the same page
produces the same id and inboxes drop the duplicate.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

P = TypeVar("P", bound=BaseModel)

#: Namespace for uuid5 event ids derived from provider data.
EVENT_NAMESPACE = uuid.UUID("6f1c1c52-93a4-4f4e-9d1e-5b7d1a0c2e11")


def derived_event_id(*parts: object) -> uuid.UUID:
    """Deterministic event id: uuid5 over the joined parts.

    For provider-derived events pass connection id, job/sync id, entity and page (or any
    other tuple that identifies the content), so a retried page yields the same id.
    """
    return uuid.uuid5(EVENT_NAMESPACE, "|".join(str(p) for p in parts))


class Envelope(BaseModel, Generic[P]):
    """Metadata common to every event, plus the typed payload.

    The Kafka key is always ``tenant_id`` so that all events of a tenant stay ordered on
    one partition.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    event_id: uuid.UUID = Field(default_factory=uuid.uuid4)
    event_type: str
    schema_version: int = 1
    tenant_id: uuid.UUID
    occurred_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    producer: str
    correlation_id: uuid.UUID | None = None
    causation_id: uuid.UUID | None = None
    payload: P

    @property
    def key(self) -> bytes:
        """Kafka partitioning key: the tenant id."""
        return str(self.tenant_id).encode()

    def to_json_bytes(self) -> bytes:
        return self.model_dump_json().encode()

    def header_pairs(self) -> list[tuple[str, bytes]]:
        """Kafka headers duplicating routing metadata (lets tools filter without parsing)."""
        return [
            ("event_type", self.event_type.encode()),
            ("tenant_id", str(self.tenant_id).encode()),
            ("event_id", str(self.event_id).encode()),
        ]


def envelope_dict(raw: bytes | str) -> dict[str, Any]:
    """Parse the envelope's outer JSON without validating the payload."""
    import json

    data = json.loads(raw)
    if not isinstance(data, dict):
        raise ValueError("envelope must be a JSON object")
    return data
