"""Request and response bodies of the HTTP API."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class ConnectRequest(BaseModel):
    """Connect a Katana account with an API key (verified before it is stored)."""

    api_key: str = Field(
        min_length=8, max_length=500, pattern=r"^[\x21-\x7e]+$", repr=False
    )  # it travels in an HTTP header: printable ASCII only


class ConnectionOut(BaseModel):
    """A Katana connection (the key and webhook token are never returned)."""

    connection_id: str
    status: str
    organisation_name: str
    base_currency: str
    time_zone: str | None
    webhook_registered: bool
    webhook_url: str
    created_at: str | None
    next_incremental_at: str | None
    next_refresh_at: str | None


class LoadRequest(BaseModel):
    """Start a load: ``incremental`` (from the watermarks) or ``refresh`` (re-read all)."""

    mode: Literal["incremental", "refresh"] = "incremental"
    entities: list[Literal["products", "suppliers", "sales_orders", "purchase_orders"]] | None = (
        None
    )


class EntityProgress(BaseModel):
    """Progress of one provider list."""

    entity: str
    pages_done: int
    total_pages: int | None
    records: int
    published: int
    skipped: int
    done: bool
    complete: bool


class JobOut(BaseModel):
    """A load job with its progress, skipped records (with reasons) and errors."""

    job_id: str
    connection_id: str
    mode: str
    trigger: str
    status: str
    entities: list[str]
    progress: list[EntityProgress]
    streams: dict[str, Any]
    skipped_records: list[dict[str, Any]]
    errors: list[dict[str, Any]]
    created_at: str
    started_at: str | None
    finished_at: str | None


class RepublishOut(BaseModel):
    """A republish from the snapshot: its sync id and records per stream."""

    sync_id: str
    records: dict[str, int]


class WebhookAck(BaseModel):
    """Webhook receipt: queued, duplicate or ignored."""

    status: str
