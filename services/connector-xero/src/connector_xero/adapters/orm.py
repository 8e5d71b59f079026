"""Tables of connector-xero's own database (plus the kit's, declared by ``service_metadata``).

Every table holding tenant data has a ``tenant_id`` column so the kit's tenant purge
removes it. Rate-budget tables are keyed by the Xero organisation (``xero_tenant_id``),
because Xero's limits are per organisation and app, whichever Restock tenant calls.
"""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
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


def _ts(name: str, nullable: bool = True, default: bool = False) -> Column:
    if default:
        return Column(name, DateTime(timezone=True), nullable=False, server_default=func.now())
    return Column(name, DateTime(timezone=True), nullable=nullable)


oauth_state = Table(
    "xero_oauth_state",
    metadata,
    Column("state_hash", String(64), primary_key=True, doc="sha256 of the state sent to Xero"),
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column("user_id", String(200), nullable=False),
    Column("verifier_enc", Text, nullable=False),
    _ts("expires_at", nullable=False),
    _ts("used_at"),
    _ts("created_at", default=True),
)

grant = Table(
    "xero_grant",
    metadata,
    Column("grant_id", UUID(as_uuid=True), primary_key=True),
    Column("tenant_id", UUID(as_uuid=True), nullable=False, index=True),
    Column("user_id", String(200), nullable=False),
    Column("xero_user_id", String(64), nullable=True),
    Column("auth_event_id", String(64), nullable=True),
    Column("scopes", Text, nullable=False, server_default=""),
    Column("access_token_enc", Text, nullable=False),
    Column("refresh_token_enc", Text, nullable=True),
    _ts("access_expires_at", nullable=False),
    Column("status", String(30), nullable=False, server_default="active"),
    Column("status_reason", Text, nullable=True),
    Column("refresh_count", Integer, nullable=False, server_default="0"),
    _ts("refreshed_at"),
    _ts("created_at", default=True),
)

grant_org = Table(
    "xero_grant_org",
    metadata,
    Column("grant_id", UUID(as_uuid=True), primary_key=True),
    Column("xero_tenant_id", String(64), primary_key=True),
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column("tenant_name", String(300), nullable=False),
    Column("tenant_type", String(30), nullable=False, server_default="ORGANISATION"),
    Column("xero_connection_id", String(64), nullable=False),
)

connection = Table(
    "xero_connection",
    metadata,
    Column("connection_id", UUID(as_uuid=True), primary_key=True),
    Column("tenant_id", UUID(as_uuid=True), nullable=False, index=True),
    Column("grant_id", UUID(as_uuid=True), nullable=False, index=True),
    Column("xero_tenant_id", String(64), nullable=False, unique=True),
    Column("xero_connection_id", String(64), nullable=False),
    Column("organisation_name", String(300), nullable=False),
    Column("base_currency", String(3), nullable=False),
    Column("time_zone", String(64), nullable=True),
    Column("status", String(30), nullable=False, server_default="active"),
    Column("status_reason", Text, nullable=True),
    _ts("next_incremental_at"),
    _ts("next_refresh_at"),
    _ts("created_at", default=True),
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
    Column("progress", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("errors", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("attempts", Integer, nullable=False, server_default="0"),
    _ts("not_before"),
    _ts("started_at"),
    _ts("finished_at"),
    Column("lease_owner", String(64), nullable=True),
    _ts("lease_until"),
    _ts("created_at", default=True),
)
Index(
    "uq_load_job_active",
    load_job.c.connection_id,
    unique=True,
    postgresql_where=load_job.c.status.in_(["queued", "running", "waiting"]),
)

watermark = Table(
    "watermark",
    metadata,
    Column("connection_id", UUID(as_uuid=True), primary_key=True),
    Column("entity", String(40), primary_key=True),
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    _ts("updated_at", nullable=False),
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
    _ts("updated_at", default=True),
)
Index("ix_snapshot_parent", snapshot.c.connection_id, snapshot.c.stream, snapshot.c.parent_id)

contact = Table(
    "xero_contact",
    metadata,
    Column("connection_id", UUID(as_uuid=True), primary_key=True),
    Column("contact_id", String(64), primary_key=True),
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column("name", String(300), nullable=True),
    Column("currency", String(3), nullable=True),
    Column("email", String(300), nullable=True),
    Column("is_supplier", Boolean, nullable=False, server_default=text("false")),
    Column("archived", Boolean, nullable=False, server_default=text("false")),
    Column("referenced", Boolean, nullable=False, server_default=text("false")),
    _ts("provider_updated_at"),
)

rate_bucket = Table(
    "rate_bucket",
    metadata,
    Column("xero_tenant_id", String(64), primary_key=True),
    _ts("paused_until"),
    _ts("day_start"),
    Column("day_count", Integer, nullable=False, server_default="0"),
    Column("throttled_total", BigInteger, nullable=False, server_default="0"),
)

rate_call = Table(
    "rate_call",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("xero_tenant_id", String(64), nullable=False),
    _ts("at", nullable=False),
    Column("priority", String(10), nullable=False),
)
Index("ix_rate_call_tenant_at", rate_call.c.xero_tenant_id, rate_call.c.at)

rate_lease = Table(
    "rate_lease",
    metadata,
    Column("lease_id", UUID(as_uuid=True), primary_key=True),
    Column("xero_tenant_id", String(64), nullable=False, index=True),
    _ts("expires_at", nullable=False),
)

webhook_pending = Table(
    "webhook_pending",
    metadata,
    Column("connection_id", UUID(as_uuid=True), primary_key=True),
    Column("category", String(30), primary_key=True),
    Column("resource_id", String(64), primary_key=True),
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    _ts("received_at", default=True),
)

po_submission = Table(
    "po_submission",
    metadata,
    Column("submission_id", UUID(as_uuid=True), primary_key=True),
    Column("attempt", Integer, primary_key=True),
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column("connection_id", UUID(as_uuid=True), nullable=False),
    Column("order_number", String(255), nullable=False, index=True),
    Column("request", JSONB, nullable=False),
    Column("status", String(20), nullable=False, server_default="pending"),
    Column("tries", Integer, nullable=False, server_default="0"),
    Column("puts_sent", Integer, nullable=False, server_default="0"),
    Column("provider_po_id", String(64), nullable=True),
    Column("outcome", JSONB, nullable=True),
    _ts("not_before"),
    _ts("lease_until"),
    _ts("created_at", default=True),
    _ts("updated_at", default=True),
)
