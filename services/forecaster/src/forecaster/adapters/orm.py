"""Tables of forecaster's own database (plus the kit's, declared by ``service_metadata``).

Inputs (one row per provider record, idempotent by provider id): ``sales_line``,
``stock_movement``, ``stock_snapshot``, ``sku``, ``location``, ``series_setting``.
Recompute bookkeeping: ``dirty_sku``, ``forecast_state``. Results: ``forecast_run``,
``forecast`` (latest per SKU x location) and ``forecast_override``.
"""

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

from platform_kit.db import service_metadata

metadata = service_metadata()

_ID = 128


def _tenant() -> Column[object]:
    return Column("tenant_id", UUID(as_uuid=True), primary_key=True)


sales_line = Table(
    "sales_line",
    metadata,
    _tenant(),
    Column("line_id", String(_ID), primary_key=True),
    Column("order_id", String(_ID), nullable=False),
    Column("variant_id", String(_ID), nullable=False),
    Column("location_id", String(_ID), nullable=False),
    Column("demand_at", DateTime(timezone=True), nullable=False),
    Column("day", Date, nullable=False),
    Column("quantity", Numeric, nullable=False),
    Column("is_return", Boolean, nullable=False),
    Column("status", String(20), nullable=False),
    Column("raw_status", String(64), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=True),
)
Index(
    "ix_sales_line_series",
    sales_line.c.tenant_id,
    sales_line.c.variant_id,
    sales_line.c.location_id,
    sales_line.c.day,
)

stock_movement = Table(
    "stock_movement",
    metadata,
    _tenant(),
    Column("movement_id", String(_ID), primary_key=True),
    Column("variant_id", String(_ID), nullable=False),
    Column("location_id", String(_ID), nullable=False),
    Column("movement_at", DateTime(timezone=True), nullable=False),
    Column("day", Date, nullable=False),
    Column("balance_after", Numeric, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=True),
)
Index(
    "ix_stock_movement_series",
    stock_movement.c.tenant_id,
    stock_movement.c.variant_id,
    stock_movement.c.location_id,
)

stock_snapshot = Table(
    "stock_snapshot",
    metadata,
    _tenant(),
    Column("variant_id", String(_ID), primary_key=True),
    Column("location_id", String(_ID), primary_key=True),
    Column("as_of", DateTime(timezone=True), primary_key=True),
    Column("day", Date, nullable=False),
    Column("on_hand", Numeric, nullable=False),
)

sku = Table(
    "sku",
    metadata,
    _tenant(),
    Column("variant_id", String(_ID), primary_key=True),
    Column("sku", String(200), nullable=True),
    Column("name", String(500), nullable=True),
    Column("category", String(200), nullable=True),
    Column("discontinued", Boolean, nullable=False, server_default=text("false")),
    Column("deleted", Boolean, nullable=False, server_default=text("false")),
    Column("updated_at", DateTime(timezone=True), nullable=True),
)

location = Table(
    "location",
    metadata,
    _tenant(),
    Column("location_id", String(_ID), primary_key=True),
    Column("name", String(200), nullable=True),
    Column("is_sales_only", Boolean, nullable=False, server_default=text("false")),
    Column("purchasing_location_id", String(_ID), nullable=True),
    Column("deleted", Boolean, nullable=False, server_default=text("false")),
    Column("updated_at", DateTime(timezone=True), nullable=True),
)

series_setting = Table(
    "series_setting",
    metadata,
    _tenant(),
    Column("variant_id", String(_ID), primary_key=True),
    Column("location_id", String(_ID), primary_key=True),
    Column("backtest_horizon_days", Integer, nullable=False),
    Column("demand_statuses", ARRAY(String(20)), nullable=False),
    Column("settings_version", Integer, nullable=False),
)

dirty_sku = Table(
    "dirty_sku",
    metadata,
    _tenant(),
    Column("variant_id", String(_ID), primary_key=True),
    Column("marked_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

forecast_state = Table(
    "forecast_state",
    metadata,
    _tenant(),
    Column("full_requested_at", DateTime(timezone=True), nullable=True),
    Column("trigger", String(20), nullable=False, server_default="sync"),
    Column("last_change_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("ready", Boolean, nullable=False, server_default=text("false")),
    Column("scheduled_day", Date, nullable=True),
)

forecast_run = Table(
    "forecast_run",
    metadata,
    Column("run_id", UUID(as_uuid=True), primary_key=True),
    Column("tenant_id", UUID(as_uuid=True), nullable=False, index=True),
    Column("trigger", String(20), nullable=False),
    Column("scope", String(20), nullable=False),
    Column("as_of", Date, nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    Column("duration_s", Float, nullable=True),
    Column("n_series", Integer, nullable=False, server_default="0"),
    Column("n_failed", Integer, nullable=False, server_default="0"),
    Column("batch_count", Integer, nullable=False, server_default="0"),
)

forecast = Table(
    "forecast",
    metadata,
    _tenant(),
    Column("variant_id", String(_ID), primary_key=True),
    Column("location_id", String(_ID), primary_key=True),
    Column("run_id", UUID(as_uuid=True), nullable=False),
    Column("as_of", Date, nullable=False),
    Column("sku", String(200), nullable=True),
    Column("model", String(40), nullable=False),
    Column("model_params", JSONB, nullable=False),
    Column("demand_class", String(20), nullable=False),
    Column("granularity", String(1), nullable=False),
    Column("distribution", String(30), nullable=False),
    Column("candidates", JSONB, nullable=False),
    Column("backtest_error", Float, nullable=True),
    Column("bias", Float, nullable=True),
    Column("backtest_horizon_days", Integer, nullable=False),
    Column("mean_28d", Float, nullable=False),
    Column("stat_mean_daily", ARRAY(Float), nullable=False),
    Column("stat_quantiles", JSONB, nullable=False),
    Column("mean_daily", ARRAY(Float), nullable=True),
    Column("cum_quantiles", JSONB, nullable=True),
    Column("explanation", JSONB, nullable=False),
    Column("outlier_days", ARRAY(Date), nullable=False),
    Column("history_start", Date, nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
Index("ix_forecast_class", forecast.c.tenant_id, forecast.c.demand_class)
Index("ix_forecast_model", forecast.c.tenant_id, forecast.c.model)

forecast_override = Table(
    "forecast_override",
    metadata,
    Column("override_id", UUID(as_uuid=True), primary_key=True),
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column("variant_id", String(_ID), nullable=False),
    Column("location_id", String(_ID), nullable=False),
    Column("kind", String(10), nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=True),
    Column("units_per_day", Numeric, nullable=True),
    Column("total_units", Numeric, nullable=True),
    Column("note", Text, nullable=True),
    Column("created_by", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_by", String(200), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("version", Integer, nullable=False, server_default="1"),
)
Index(
    "ix_forecast_override_series",
    forecast_override.c.tenant_id,
    forecast_override.c.variant_id,
    forecast_override.c.location_id,
)
