"""Tables the kit owns inside every service's database: outbox, inbox, dead letters,
sync tracking for safe deletions, and idempotency keys for HTTP POSTs."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

kit_metadata_naming = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def add_kit_tables(metadata: MetaData) -> dict[str, Table]:
    """Declare the kit's tables on a service's metadata (so its Alembic sees them)."""
    outbox = Table(
        "outbox",
        metadata,
        Column("id", BigInteger, primary_key=True, autoincrement=True),
        Column("event_id", UUID(as_uuid=True), nullable=False, unique=True),
        Column("tenant_id", UUID(as_uuid=True), nullable=True),
        Column("topic", String(200), nullable=False),
        Column("event_type", String(200), nullable=False),
        Column("key", LargeBinary, nullable=True),
        Column("value", LargeBinary, nullable=False),
        Column("headers", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("published_at", DateTime(timezone=True), nullable=True),
    )
    Index("ix_outbox_unpublished", outbox.c.id, postgresql_where=outbox.c.published_at.is_(None))
    Index("ix_outbox_published_at", outbox.c.published_at)
    inbox = Table(
        "inbox",
        metadata,
        Column("consumer", String(100), primary_key=True),
        Column("event_id", UUID(as_uuid=True), primary_key=True),
        Column("tenant_id", UUID(as_uuid=True), nullable=True),
        Column("topic", String(200), nullable=False),
        Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )
    Index("ix_inbox_processed_at", inbox.c.processed_at)
    dead_letter = Table(
        "dead_letter",
        metadata,
        Column("id", BigInteger, primary_key=True, autoincrement=True),
        Column("consumer", String(100), nullable=False),
        Column("topic", String(200), nullable=False),
        Column("partition", Integer, nullable=False),
        Column("offset", BigInteger, nullable=False),
        Column("event_id", UUID(as_uuid=True), nullable=True),
        Column("tenant_id", UUID(as_uuid=True), nullable=True),
        Column("key", LargeBinary, nullable=True),
        Column("value", LargeBinary, nullable=False),
        Column("reason", Text, nullable=False),
        Column("attempts", Integer, nullable=False, server_default="1"),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("replayed_at", DateTime(timezone=True), nullable=True),
        Column("resolved", Boolean, nullable=False, server_default=text("false")),
        UniqueConstraint(
            "consumer", "topic", "partition", "offset", name="uq_dead_letter_position"
        ),
    )
    sync_stream = Table(
        "sync_stream",
        metadata,
        Column("consumer", String(100), primary_key=True),
        Column("tenant_id", UUID(as_uuid=True), primary_key=True),
        Column("sync_id", UUID(as_uuid=True), primary_key=True),
        Column("stream", String(100), primary_key=True),
        Column("mode", String(20), nullable=False),
        Column("batches_seen", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
        Column("expected_batches", Integer, nullable=True),
        Column("status", String(20), nullable=False, server_default="open"),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("completed_at", DateTime(timezone=True), nullable=True),
    )
    pending_deletion = Table(
        "pending_deletion",
        metadata,
        Column("id", BigInteger, primary_key=True, autoincrement=True),
        Column("consumer", String(100), nullable=False),
        Column("tenant_id", UUID(as_uuid=True), nullable=False),
        Column("sync_id", UUID(as_uuid=True), nullable=False),
        Column("stream", String(100), nullable=False),
        Column("record_key", String(300), nullable=False),
        Column("record", JSONB, nullable=False),
        UniqueConstraint(
            "consumer",
            "tenant_id",
            "sync_id",
            "stream",
            "record_key",
            name="uq_pending_deletion_record",
        ),
    )
    idempotency_key = Table(
        "idempotency_key",
        metadata,
        Column("tenant_id", UUID(as_uuid=True), primary_key=True),
        Column("key", String(200), primary_key=True),
        Column("method", String(10), nullable=False),
        Column("path", String(500), nullable=False),
        Column("request_hash", String(64), nullable=False),
        Column("status_code", Integer, nullable=True),
        Column("response_body", JSONB, nullable=True),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )
    return {
        "outbox": outbox,
        "inbox": inbox,
        "dead_letter": dead_letter,
        "sync_stream": sync_stream,
        "pending_deletion": pending_deletion,
        "idempotency_key": idempotency_key,
    }


def kit_tables(metadata: MetaData) -> dict[str, Table]:
    """The kit tables already declared on ``metadata``."""
    names = ("outbox", "inbox", "dead_letter", "sync_stream", "pending_deletion", "idempotency_key")
    return {name: metadata.tables[name] for name in names}
