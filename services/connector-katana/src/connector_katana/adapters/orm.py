"""Tables of connector-katana's own database (plus the kit's, declared by ``service_metadata``)."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    String,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

from platform_kit.db import service_metadata

metadata = service_metadata()

connection = Table(
    "katana_connection",
    metadata,
    Column("connection_id", UUID(as_uuid=True), primary_key=True),
    Column("tenant_id", UUID(as_uuid=True), nullable=False, index=True),
    Column("status", String(20), nullable=False, server_default="active"),
    Column("api_key_enc", Text, nullable=False),
    Column("key_id", String(64), nullable=False, doc="sha256 of the API key: rate budget key"),
    Column("base_url", String(500), nullable=False),
    Column("organisation_name", String(300), nullable=False),
    Column("base_currency", String(3), nullable=False),
    Column("time_zone", String(64), nullable=True),
    Column("webhook_opaque_id", String(64), nullable=False, unique=True),
    Column("webhook_id", String(64), nullable=True),
    Column("webhook_token_enc", Text, nullable=True),
    Column("next_incremental_at", DateTime(timezone=True), nullable=True),
    Column("next_refresh_at", DateTime(timezone=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("disconnected_at", DateTime(timezone=True), nullable=True),
)

load_job = Table(
    "load_job",
    metadata,
    Column("job_id", UUID(as_uuid=True), primary_key=True),
    Column("tenant_id", UUID(as_uuid=True), nullable=False, index=True),
    Column("connection_id", UUID(as_uuid=True), nullable=False),
    Column("mode", String(20), nullable=False),
    Column("trigger", String(20), nullable=False, server_default="user"),
    Column("status", String(20), nullable=False, server_default="queued"),
    Column("entities", JSONB, nullable=False),
    Column("progress", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("skipped", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("errors", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("started_at", DateTime(timezone=True), nullable=True),
    Column("pinned_max", DateTime(timezone=True), nullable=True),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    Column("lease_owner", String(64), nullable=True),
    Column("lease_until", DateTime(timezone=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
Index(
    "uq_load_job_active",
    load_job.c.connection_id,
    unique=True,
    postgresql_where=load_job.c.status.in_(["queued", "running"]),
)

watermark = Table(
    "watermark",
    metadata,
    Column("connection_id", UUID(as_uuid=True), primary_key=True),
    Column("entity", String(40), primary_key=True),
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

snapshot = Table(
    "snapshot_record",
    metadata,
    Column("connection_id", UUID(as_uuid=True), primary_key=True),
    Column("stream", String(40), primary_key=True),
    Column("provider_id", String(128), primary_key=True),
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column("parent_id", String(128), nullable=True),
    Column("content_hash", String(64), nullable=False),
    Column("record", JSONB, nullable=False),
    Column("deleted", Boolean, nullable=False, server_default=text("false")),
    Column("seen_job_id", UUID(as_uuid=True), nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
Index("ix_snapshot_parent", snapshot.c.connection_id, snapshot.c.stream, snapshot.c.parent_id)

rate_budget = Table(
    "rate_budget",
    metadata,
    Column("key_id", String(64), primary_key=True),
    Column("paused_until", DateTime(timezone=True), nullable=True),
    Column("throttled_total", BigInteger, nullable=False, server_default="0"),
)

rate_request = Table(
    "rate_request",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("key_id", String(64), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("priority", String(10), nullable=False),
)
Index("ix_rate_request_key_at", rate_request.c.key_id, rate_request.c.at)

webhook_pending = Table(
    "webhook_pending",
    metadata,
    Column("connection_id", UUID(as_uuid=True), primary_key=True),
    Column("entity", String(40), primary_key=True),
    Column("provider_id", String(128), primary_key=True),
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

webhook_seen = Table(
    "webhook_seen",
    metadata,
    Column("connection_id", UUID(as_uuid=True), primary_key=True),
    Column("body_hash", String(64), primary_key=True),
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

po_submission = Table(
    "po_submission",
    metadata,
    Column("submission_id", UUID(as_uuid=True), primary_key=True),
    Column("attempt", Integer, primary_key=True),
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column("connection_id", UUID(as_uuid=True), nullable=False),
    Column("order_no", String(255), nullable=False),
    Column("request", JSONB, nullable=False),
    Column("status", String(20), nullable=False, server_default="pending"),
    Column("post_attempts", Integer, nullable=False, server_default="0"),
    Column("provider_po_id", String(64), nullable=True),
    Column("outcome", JSONB, nullable=True),
    Column("lease_until", DateTime(timezone=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

po_attempt_log = Table(
    "po_attempt_log",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column("submission_id", UUID(as_uuid=True), nullable=False, index=True),
    Column("attempt", Integer, nullable=False),
    Column("action", String(20), nullable=False),
    Column("result", String(200), nullable=False),
    Column("elapsed_s", Float, nullable=True),
    Column("at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
