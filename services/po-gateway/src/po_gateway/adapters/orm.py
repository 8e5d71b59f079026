"""Tables of po-gateway's own database (plus the kit's, declared by ``service_metadata``).

``po_draft`` is one purchase order through its whole life (draft → approved → sending →
sent | failed); ``po_line`` its lines; ``po_attempt`` one row per submission attempt;
``po_audit`` who did what and when; ``po_connection`` the tenant's provider connections
(from ``connectors.sync.v1``); ``fx_rate`` the latest rate seen per currency (from
provider purchase orders). Idempotency keys live in the kit's ``idempotency_key``.
"""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

from platform_kit.db import service_metadata

metadata = service_metadata()


def _ts(name: str, nullable: bool = True) -> Column[object]:
    return Column(
        name,
        DateTime(timezone=True),
        nullable=nullable,
        server_default=None if nullable else func.now(),
    )


po_draft = Table(
    "po_draft",
    metadata,
    Column("draft_id", UUID(as_uuid=True), primary_key=True),
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column("status", String(20), nullable=False),
    Column("supplier_id", String(255), nullable=False),
    Column("location_id", String(255), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("base_currency", String(3), nullable=False),
    Column("fx_rate_to_base", Numeric(24, 10), nullable=False),
    Column("fx_source", String(20), nullable=False),
    Column("expected_arrival", Date, nullable=True),
    Column("notes", Text, nullable=True),
    Column("provider_status", String(20), nullable=False),
    Column("plan_version", Integer, nullable=False),
    Column("order_number", String(64), nullable=False),
    Column("submission_id", UUID(as_uuid=True), nullable=False),
    Column("attempt", Integer, nullable=False, server_default="0"),
    Column("source", String(20), nullable=True),
    Column("connection_id", UUID(as_uuid=True), nullable=True),
    Column("provider_po_id", String(255), nullable=True),
    Column("provider_po_number", String(255), nullable=True),
    Column("provider_po_status", String(50), nullable=True),
    Column("failure_reason", String(40), nullable=True),
    Column("failure_message", Text, nullable=True),
    Column("failure_retryable", Boolean, nullable=True),
    Column("failure_details", JSONB, nullable=True),
    Column("version", Integer, nullable=False, server_default="1"),
    Column("created_by", String(200), nullable=False),
    _ts("created_at", nullable=False),
    Column("updated_by", String(200), nullable=False),
    _ts("updated_at", nullable=False),
    Column("approved_by", String(200), nullable=True),
    _ts("approved_at"),
    Column("sent_by", String(200), nullable=True),
    _ts("sent_at"),
    _ts("submitted_at"),
    UniqueConstraint("submission_id", name="uq_po_draft_submission_id"),
    UniqueConstraint("tenant_id", "order_number", name="uq_po_draft_tenant_order_number"),
)
Index("ix_po_draft_tenant_status", po_draft.c.tenant_id, po_draft.c.status)

po_line = Table(
    "po_line",
    metadata,
    Column("line_id", UUID(as_uuid=True), primary_key=True),
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column(
        "draft_id",
        UUID(as_uuid=True),
        ForeignKey("po_draft.draft_id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("position", Integer, nullable=False),
    Column("variant_id", String(255), nullable=False),
    Column("sku", String(255), nullable=True),
    Column("name", String(500), nullable=True),
    Column("uom", String(50), nullable=True),
    Column("purchase_uom", String(50), nullable=True),
    Column("purchase_uom_factor", Numeric(24, 10), nullable=False),
    Column("quantity", Numeric(24, 6), nullable=False),
    Column("suggested_quantity", Numeric(24, 6), nullable=True),
    Column("unit_price", Numeric(24, 6), nullable=False),
    Column("unit_cost_base", Numeric(24, 6), nullable=True),
    Column("lead_time_days", Numeric(10, 2), nullable=True),
    Column("plan_version", Integer, nullable=True),
    UniqueConstraint("draft_id", "variant_id", name="uq_po_line_draft_variant"),
)
Index("ix_po_line_draft", po_line.c.draft_id)

po_attempt = Table(
    "po_attempt",
    metadata,
    Column(
        "draft_id",
        UUID(as_uuid=True),
        ForeignKey("po_draft.draft_id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("attempt", Integer, primary_key=True),
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column("submission_id", UUID(as_uuid=True), nullable=False),
    Column("request_event_id", UUID(as_uuid=True), nullable=False),
    Column("source", String(20), nullable=False),
    Column("connection_id", UUID(as_uuid=True), nullable=False),
    Column("requested_by", String(200), nullable=False),
    _ts("requested_at", nullable=False),
    Column("outcome", String(20), nullable=False, server_default="pending"),
    Column("result_event_id", UUID(as_uuid=True), nullable=True),
    Column("reason_code", String(40), nullable=True),
    Column("message", Text, nullable=True),
    _ts("completed_at"),
)

po_audit = Table(
    "po_audit",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column("draft_id", UUID(as_uuid=True), nullable=False),
    Column("action", String(40), nullable=False),
    Column("actor", String(200), nullable=False),
    _ts("at", nullable=False),
    Column("details", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
)
Index("ix_po_audit_draft", po_audit.c.tenant_id, po_audit.c.draft_id, po_audit.c.id)

po_connection = Table(
    "po_connection",
    metadata,
    Column("connection_id", UUID(as_uuid=True), primary_key=True),
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column("source", String(20), nullable=False),
    Column("organisation_name", String(255), nullable=True),
    Column("active", Boolean, nullable=False, server_default=text("true")),
    _ts("updated_at", nullable=False),
)
Index("ix_po_connection_tenant", po_connection.c.tenant_id)

fx_rate = Table(
    "fx_rate",
    metadata,
    Column("tenant_id", UUID(as_uuid=True), primary_key=True),
    Column("currency", String(3), primary_key=True),
    Column("rate_to_base", Numeric(24, 10), nullable=False),
    Column("seen_at", DateTime(timezone=True), nullable=False),
)
