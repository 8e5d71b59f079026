"""Sync lifecycle payloads, v1.

``connectors.sync.v1`` carries sync started / finished and connection established /
removed. :class:`StreamCompleted` is different: it is published on each stream's OWN topic
(``catalog.skus.v1``, ``sales.lines.v1``, ...) after the stream's last batch, with the same
tenant key, so it arrives after every batch of that stream.
"""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import AwareDatetime, Field

from restock_contracts._base import (
    CurrencyCode,
    Event,
    Record,
    Source,
    SyncMode,
    TimeZoneName,
)

StreamName = Literal[
    "skus",
    "suppliers",
    "locations",
    "bom_rows",
    "stock_levels",
    "stock_movements",
    "sales_lines",
    "purchase_order_lines",
]
"""The record streams a connector publishes, one per topic."""


class StreamCompleted(Event):
    """A stream finished for one sync: every batch of it has been published.

    Published on the stream's own topic. A consumer that has not seen batches
    ``1..batch_count`` for this ``sync_id`` marks the sync incomplete for that stream (and
    must not act on it, e.g. not treat it as a full snapshot).
    """

    event_type: Literal["connectors.stream_completed"] = "connectors.stream_completed"
    source: Source
    connection_id: UUID
    sync_id: UUID
    mode: SyncMode
    stream: StreamName
    batch_count: int = Field(ge=0)
    record_count: int = Field(ge=0)
    deleted_count: int = Field(default=0, ge=0, description="Deletion records among them.")


class SyncStarted(Event):
    """A connector started a sync of one connection."""

    event_type: Literal["connectors.sync_started"] = "connectors.sync_started"
    source: Source
    connection_id: UUID
    sync_id: UUID
    mode: SyncMode
    streams: list[StreamName] = Field(description="Streams this sync will read.")
    started_at: AwareDatetime


class StreamCount(Record):
    """Per-stream totals of one sync."""

    stream: StreamName
    batch_count: int = Field(ge=0)
    record_count: int = Field(ge=0)
    deleted_count: int = Field(default=0, ge=0)


class SyncIssue(Record):
    """One error met during a sync (``stream`` is None for connection-level errors)."""

    stream: StreamName | None = None
    code: str = Field(description="Machine-readable code, e.g. 'rate_limited', 'auth'.")
    message: str
    retryable: bool = False


class SyncFinished(Event):
    """A sync ended. ``partial`` means some streams completed and some did not."""

    event_type: Literal["connectors.sync_finished"] = "connectors.sync_finished"
    source: Source
    connection_id: UUID
    sync_id: UUID
    mode: SyncMode
    outcome: Literal["succeeded", "partial", "failed", "cancelled"]
    started_at: AwareDatetime
    finished_at: AwareDatetime
    streams: list[StreamCount] = Field(default_factory=list)
    errors: list[SyncIssue] = Field(default_factory=list)


class ConnectionEstablished(Event):
    """A provider connection was made (or re-authorised) for a tenant.

    The api-gateway fills the tenant's time zone, base currency and primary source from the
    first one (Xero ``/Organisation``, Katana ``/factory``).
    """

    event_type: Literal["connectors.connection_established"] = "connectors.connection_established"
    connection_id: UUID
    source: Source
    organisation_name: str
    base_currency: CurrencyCode
    time_zone: TimeZoneName | None = Field(description="None when the provider has none.")
    provider_tenant_id: str | None = Field(
        description="Xero tenantId; Katana has no tenant id (None)."
    )
    established_at: AwareDatetime | None = None


class ConnectionRemoved(Event):
    """A provider connection was removed or revoked; its data stops updating."""

    event_type: Literal["connectors.connection_removed"] = "connectors.connection_removed"
    connection_id: UUID
    source: Source
    reason: Literal["user_disconnected", "revoked", "tenant_deleted", "other"] = "other"
