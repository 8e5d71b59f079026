"""Tables of planner's own database (plus the kit's, declared by ``service_metadata``).

Inputs mirrored from events (sku, supplier, location, bom_row, stock_level, po_line,
po_submission, po_submission_line, forecast), settings owned here (setting_value,
setting_audit), and the plan (plan_state, plan_row: the newest plan version per tenant,
plan_row_detail: its explanation and settings document).
"""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

from platform_kit.db import service_metadata

metadata = service_metadata()

ID = 128


def _tenant() -> Column[object]:
    return Column("tenant_id", UUID(as_uuid=True), primary_key=True)


sku = Table(
    "sku",
    metadata,
    _tenant(),
    Column("variant_id", String(ID), primary_key=True),
    Column("product_id", String(ID)),
    Column("sku", String(255)),
    Column("name", Text, nullable=False),
    Column("category", String(255)),
    Column("uom", String(64)),
    Column("purchase_uom", String(64)),
    Column("purchase_uom_factor", Numeric, nullable=False, server_default="1"),
    Column("is_purchased", Boolean, nullable=False),
    Column("is_manufactured", Boolean, nullable=False),
    Column("is_sold", Boolean, nullable=False),
    Column("cost", Numeric),
    Column("price", Numeric),
    Column("default_supplier_id", String(ID)),
    Column("lead_time_days", Integer),
    Column("moq", Numeric),
    Column("discontinued", Boolean, nullable=False, server_default=text("false")),
    Column("deleted", Boolean, nullable=False, server_default=text("false")),
    Column("updated_at", DateTime(timezone=True)),
)
supplier = Table(
    "supplier",
    metadata,
    _tenant(),
    Column("supplier_id", String(ID), primary_key=True),
    Column("name", Text, nullable=False),
    Column("currency", String(3)),
    Column("lead_time_days", Integer),
    Column("archived", Boolean, nullable=False, server_default=text("false")),
    Column("deleted", Boolean, nullable=False, server_default=text("false")),
    Column("updated_at", DateTime(timezone=True)),
)
location = Table(
    "location",
    metadata,
    _tenant(),
    Column("location_id", String(ID), primary_key=True),
    Column("name", Text, nullable=False),
    Column("is_sales_only", Boolean, nullable=False, server_default=text("false")),
    Column("purchasing_location_id", String(ID)),
    Column("is_primary", Boolean, nullable=False, server_default=text("false")),
    Column("deleted", Boolean, nullable=False, server_default=text("false")),
    Column("updated_at", DateTime(timezone=True)),
)
bom_row = Table(
    "bom_row",
    metadata,
    _tenant(),
    Column("bom_row_id", String(ID), primary_key=True),
    Column("parent_variant_id", String(ID), nullable=False),
    Column("component_variant_id", String(ID), nullable=False),
    Column("quantity_per", Numeric, nullable=False),
    Column("deleted", Boolean, nullable=False, server_default=text("false")),
    Column("updated_at", DateTime(timezone=True)),
)
stock_level = Table(
    "stock_level",
    metadata,
    _tenant(),
    Column("variant_id", String(ID), primary_key=True),
    Column("location_id", String(ID), primary_key=True),
    Column("on_hand", Numeric, nullable=False),
    Column("committed", Numeric, nullable=False),
    Column("expected", Numeric),
    Column("average_cost", Numeric),
    Column("deleted", Boolean, nullable=False, server_default=text("false")),
    Column("as_of", DateTime(timezone=True), nullable=False),
)
po_line = Table(
    "po_line",
    metadata,
    _tenant(),
    Column("po_id", String(ID), primary_key=True),
    Column("line_id", String(ID), primary_key=True),
    Column("supplier_id", String(ID)),
    Column("location_id", String(ID), nullable=False),
    Column("variant_id", String(ID), nullable=False),
    Column("quantity_ordered", Numeric, nullable=False),
    Column("quantity_remaining", Numeric, nullable=False),
    Column("order_date", DateTime(timezone=True), nullable=False),
    Column("received_date", DateTime(timezone=True)),
    Column("status", String(32), nullable=False),
    Column("raw_status", String(64), nullable=False),
    Column("created_by_restock", Boolean, nullable=False, server_default=text("false")),
    Column("deleted", Boolean, nullable=False, server_default=text("false")),
    Column("updated_at", DateTime(timezone=True)),
)
po_submission = Table(
    "po_submission",
    metadata,
    _tenant(),
    Column("submission_id", UUID(as_uuid=True), primary_key=True),
    Column("supplier_id", String(ID)),
    Column("location_id", String(ID)),
    Column("provider_po_id", String(ID)),
    Column("submitted_at", DateTime(timezone=True)),
    Column("requested", Boolean, nullable=False, server_default=text("false")),
)
po_submission_line = Table(
    "po_submission_line",
    metadata,
    _tenant(),
    Column("submission_id", UUID(as_uuid=True), primary_key=True),
    Column("line_id", UUID(as_uuid=True), primary_key=True),
    Column("variant_id", String(ID), nullable=False),
    Column("location_id", String(ID), nullable=False),
    Column("quantity_stock", Numeric, nullable=False),
)
forecast = Table(
    "forecast",
    metadata,
    _tenant(),
    Column("variant_id", String(ID), primary_key=True),
    Column("location_id", String(ID), primary_key=True),
    Column("forecast_run_id", UUID(as_uuid=True), nullable=False),
    Column("as_of", Date, nullable=False),
    Column("mean_daily", LargeBinary, nullable=False),
    Column("horizons", LargeBinary, nullable=False),
    Column("levels", LargeBinary, nullable=False),
    Column("quantiles", LargeBinary, nullable=False),
    Column("demand_class", String(32), nullable=False),
    Column("model", String(64), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
setting_value = Table(
    "setting_value",
    metadata,
    _tenant(),
    Column("scope", String(16), primary_key=True),
    Column("scope_id", String(ID), primary_key=True),
    Column("location_id", String(ID), primary_key=True),
    Column("values", JSONB, nullable=False),
    Column("version", Integer, nullable=False, server_default="1"),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
setting_audit = Table(
    "setting_audit",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("user_id", String(200), nullable=False),
    Column("via", String(16), nullable=False),
    Column("scope", String(16), nullable=False),
    Column("scope_id", String(ID), nullable=False),
    Column("location_id", String(ID), nullable=False),
    Column("key", String(64), nullable=False),
    Column("old_value", JSONB),
    Column("new_value", JSONB),
    Column("settings_version", Integer, nullable=False),
)
Index("ix_setting_audit_tenant_at", setting_audit.c.tenant_id, setting_audit.c.id)
plan_state = Table(
    "plan_state",
    metadata,
    _tenant(),
    Column("dirty", Boolean, nullable=False, server_default=text("false")),
    Column("trigger", String(32), nullable=False, server_default="catalog"),
    Column("last_change_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("settings_version", Integer, nullable=False, server_default="1"),
    Column("plan_version", Integer, nullable=False, server_default="0"),
    Column("plan_id", UUID(as_uuid=True)),
    Column("as_of", Date),
    Column("computed_at", DateTime(timezone=True)),
    Column("error", Text),
)

PLAN_FLOATS = [
    "purchase_uom_factor",
    "unit_cost",
    "on_hand",
    "committed",
    "on_order",
    "provisional_on_order",
    "net_position",
    "lead_time_days",
    "lead_time_std_days",
    "review_period_days",
    "service_level",
    "demand_lt_mean",
    "demand_ltr_mean",
    "demand_ltr_quantile",
    "safety_stock",
    "reorder_point",
    "order_up_to",
    "eoq",
    "raw_need",
    "order_qty",
    "order_qty_purchase_uom",
    "days_until_stockout",
    "excess_units",
    "excess_value",
    "shortage_units",
    "shortage_cost",
    "inventory_value",
    "expected_fill_rate",
    "projected_service_level",
    "projected_fill_rate",
    "moq",
    "order_multiple",
    "dependent_demand_daily",
]
PLAN_TEXTS = [
    "sku",
    "name",
    "category",
    "supplier_id",
    "supplier_name",
    "supplier_currency",
    "purchase_uom",
    "uom",
    "status",
    "action",
    "demand_class",
    "po_status_on_create",
    "status_text",
]

plan_row = Table(
    "plan_row",
    metadata,
    _tenant(),
    Column("variant_id", String(ID), primary_key=True),
    Column("location_id", String(ID), primary_key=True),
    Column("plan_version", Integer, nullable=False),
    *(Column(name, Float) for name in PLAN_FLOATS),
    *(Column(name, Text) for name in PLAN_TEXTS),
    Column("latest_order_date", Date),
    Column("has_forecast", Boolean, nullable=False),
    Column("rolled_up_locations", JSONB, nullable=False),
)
Index("ix_plan_row_status", plan_row.c.tenant_id, plan_row.c.status)
Index("ix_plan_row_supplier", plan_row.c.tenant_id, plan_row.c.supplier_id)
Index("ix_plan_row_category", plan_row.c.tenant_id, plan_row.c.category)
Index("ix_plan_row_urgency", plan_row.c.tenant_id, plan_row.c.days_until_stockout)
plan_row_detail = Table(
    "plan_row_detail",
    metadata,
    _tenant(),
    Column("variant_id", String(ID), primary_key=True),
    Column("location_id", String(ID), primary_key=True),
    Column("explanation", Text, nullable=False),
    Column("settings", JSONB, nullable=False),
    Column("settings_hash", Text, nullable=False),
)
"""The wide per-row texts, apart from ``plan_row`` so list pages scan and sort narrow rows."""
