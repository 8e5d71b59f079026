"""Sample payloads for the contracts tests: one valid instance per event class."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from restock_contracts import Event
from restock_contracts.catalog import v1 as catalog
from restock_contracts.forecasting import v1 as forecasting
from restock_contracts.inventory import v1 as inventory
from restock_contracts.planning import v1 as planning
from restock_contracts.po import v1 as po
from restock_contracts.purchasing import v1 as purchasing
from restock_contracts.sales import v1 as sales
from restock_contracts.sync import v1 as sync
from restock_contracts.tenancy import v1 as tenancy

TENANT = UUID("11111111-1111-4111-8111-111111111111")
CONNECTION = UUID("22222222-2222-4222-8222-222222222222")
SYNC_ID = UUID("33333333-3333-4333-8333-333333333333")
RUN = UUID("44444444-4444-4444-8444-444444444444")
SUBMISSION = UUID("55555555-5555-4555-8555-555555555555")
DRAFT = UUID("66666666-6666-4666-8666-666666666666")
AT = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)

HEADER: dict[str, Any] = {
    "source": "katana",
    "connection_id": CONNECTION,
    "sync_id": SYNC_ID,
    "mode": "incremental",
    "batch_seq": 1,
}
HORIZONS = list(forecasting.DEFAULT_HORIZONS_DAYS)
LEVELS = list(forecasting.DEFAULT_QUANTILE_LEVELS)


def sku_record(variant_id: str = "501", **overrides: Any) -> catalog.SkuRecord:
    fields: dict[str, Any] = {
        "product_id": "50",
        "variant_id": variant_id,
        "sku": f"TS-{variant_id}",
        "name": "T-shirt / Red / XL",
        "category": "Apparel",
        "uom": "pcs",
        "purchase_uom": "box",
        "purchase_uom_conversion_rate": Decimal("12"),
        "is_purchased": True,
        "is_manufactured": False,
        "is_sold": True,
        "cost": Decimal("12.50"),
        "price": Decimal("29.90"),
        "default_supplier_id": "7",
        "lead_time_days": 14,
        "moq": Decimal("24"),
        "updated_at": AT,
    }
    fields.update(overrides)
    return catalog.SkuRecord(**fields)


def forecast_record(**overrides: Any) -> forecasting.SkuForecast:
    """A consistent forecast: 2 units/day, quantiles = 2*h*(1 + level)."""
    fields: dict[str, Any] = {
        "variant_id": "501",
        "sku": "TS-501",
        "location_id": "1",
        "forecast_run_id": RUN,
        "as_of": date(2026, 3, 14),
        "mean_daily": [2.0] * 365,
        "quantile_horizons_days": HORIZONS,
        "quantile_levels": LEVELS,
        "cumulative_quantiles": [[2.0 * h * (1 + q) for q in LEVELS] for h in HORIZONS],
        "model": "AutoETS",
        "model_params": {"season_length": 7, "damped": True, "order": [1, 0, 1]},
        "backtest": {"metric": "wape", "value": 0.31, "bias": -0.02, "horizon_days": 28},
        "demand_class": "smooth",
        "granularity": "D",
        "distribution": "normal",
    }
    fields.update(overrides)
    return forecasting.SkuForecast(**fields)


def _setting(value: Any, source: str = "global") -> dict[str, Any]:
    return {"value": value, "source": source}


def _settings_record() -> planning.EffectiveSettings:
    return planning.EffectiveSettings(
        variant_id="501",
        location_id="1",
        lead_time_days=_setting(Decimal("14"), "provider"),
        lead_time_std_days=_setting(Decimal("2.5"), "learned"),
        service_level=_setting(Decimal("0.95")),
        review_period_days=_setting(7),
        forecast_period_override=_setting(None, "default"),
        moq=_setting(Decimal("24"), "provider"),
        order_multiple=_setting(Decimal("12"), "supplier"),
        rounding_rule=_setting("up"),
        min_stock=_setting(None, "default"),
        max_stock=_setting(Decimal("500"), "product_override"),
        safety_stock_override=_setting(None, "default"),
        holding_cost_rate=_setting(Decimal("0.25")),
        ordering_cost=_setting(Decimal("35.00")),
        stock_basis=_setting("net"),
        demand_status_policy=_setting(["open", "fulfilled", "returned"], "default"),
        po_status_on_create=_setting("NOT_RECEIVED", "default"),
        backtest_horizon_days=_setting(21),
    )


def build_samples() -> dict[type[Event], Event]:
    """One valid instance of every event class, keyed by class."""
    samples: list[Event] = [
        catalog.SkusChanged(**HEADER, records=[sku_record(), sku_record("502", deleted=True)]),
        catalog.SuppliersChanged(
            **HEADER,
            records=[
                catalog.SupplierRecord(
                    supplier_id=7,
                    name="Cotton Co",
                    currency="EUR",
                    email="a@b.c",
                    updated_at=AT,
                )
            ],
        ),
        catalog.LocationsChanged(
            **HEADER,
            records=[
                catalog.LocationRecord(
                    location_id="1", name="Main", is_primary=True, updated_at=AT
                ),
                catalog.LocationRecord(
                    location_id="2",
                    name="Shop",
                    is_sales_only=True,
                    purchasing_location_id="1",
                    updated_at=AT,
                ),
            ],
        ),
        catalog.BomRowsChanged(
            **HEADER,
            records=[
                catalog.BomRowRecord(
                    bom_row_id="9b2f1c3e-0000-4000-8000-000000000001",
                    parent_variant_id="501",
                    component_variant_id="900",
                    quantity_per=Decimal("1.5"),
                    updated_at=AT,
                )
            ],
        ),
        inventory.StockLevelsChanged(
            **HEADER,
            records=[
                inventory.StockLevelRecord(
                    variant_id="501",
                    location_id="1",
                    on_hand=Decimal("-2.00000"),
                    committed=Decimal("3"),
                    expected=Decimal("48"),
                    average_cost=Decimal("12.4"),
                    as_of=AT,
                    updated_at=None,
                )
            ],
        ),
        inventory.StockMovementsChanged(
            **HEADER,
            records=[
                inventory.StockMovementRecord(
                    movement_id="77",
                    variant_id="501",
                    location_id="1",
                    movement_date=AT,
                    quantity_change=Decimal("-3"),
                    balance_after=Decimal("0"),
                    cause="sale",
                    resource_type="SalesOrderRow",
                    resource_id="12",
                    updated_at=AT,
                )
            ],
        ),
        sales.SalesLinesChanged(
            **{**HEADER, "source": "xero", "mode": "refresh"},
            records=[
                sales.SalesLineRecord(
                    order_id="inv-1",
                    line_id="line-1",
                    order_number="INV-0001",
                    customer_id="c-1",
                    variant_id="item-1",
                    sku="TS-501",
                    location_id="xero",
                    order_date=AT,
                    delivery_date=date(2026, 3, 20),
                    quantity=Decimal("2"),
                    unit_price=Decimal("29.90"),
                    currency="USD",
                    fx_rate_to_base=Decimal("0.91"),
                    base_amount=Decimal("54.42"),
                    raw_status="AUTHORISED",
                    status="open",
                    updated_at=AT,
                ),
                sales.SalesLineRecord(
                    order_id="cn-1",
                    line_id="line-2",
                    variant_id="item-1",
                    location_id="xero",
                    order_date=AT,
                    quantity=Decimal("1"),
                    currency="EUR",
                    fx_rate_to_base=Decimal("1"),
                    raw_status="AUTHORISED",
                    status="returned",
                    is_return=True,
                    original_sale_date=AT,
                    updated_at=AT,
                ),
            ],
        ),
        purchasing.PurchaseOrderLinesChanged(
            **HEADER,
            records=[
                purchasing.PurchaseOrderLineRecord(
                    po_id="300",
                    po_number="PO-7",
                    line_id="301",
                    supplier_id="7",
                    location_id="1",
                    variant_id="501",
                    quantity_ordered=Decimal("48"),
                    quantity_received=Decimal("12"),
                    quantity_remaining=Decimal("36"),
                    purchase_uom="box",
                    purchase_uom_conversion_rate=Decimal("12"),
                    unit_price=Decimal("120.00"),
                    currency="EUR",
                    fx_rate_to_base=Decimal("1"),
                    order_date=AT,
                    expected_arrival=AT,
                    raw_status="PARTIALLY_RECEIVED",
                    status="partially_received",
                    created_by_restock=True,
                    restock_submission_id=SUBMISSION,
                    updated_at=AT,
                )
            ],
        ),
        sync.StreamCompleted(
            source="katana",
            connection_id=CONNECTION,
            sync_id=SYNC_ID,
            mode="refresh",
            stream="skus",
            batch_count=3,
            record_count=1200,
            deleted_count=4,
        ),
        sync.SyncStarted(
            source="katana",
            connection_id=CONNECTION,
            sync_id=SYNC_ID,
            mode="refresh",
            streams=["skus", "stock_levels"],
            started_at=AT,
        ),
        sync.SyncFinished(
            source="katana",
            connection_id=CONNECTION,
            sync_id=SYNC_ID,
            mode="refresh",
            outcome="partial",
            started_at=AT,
            finished_at=AT,
            streams=[sync.StreamCount(stream="skus", batch_count=3, record_count=1200)],
            errors=[sync.SyncIssue(stream="stock_levels", code="rate_limited", message="429")],
        ),
        sync.ConnectionEstablished(
            connection_id=CONNECTION,
            source="xero",
            organisation_name="Demo Ltd",
            base_currency="NZD",
            time_zone="Pacific/Auckland",
            provider_tenant_id="t-1",
            established_at=AT,
        ),
        sync.ConnectionRemoved(connection_id=CONNECTION, source="xero", reason="revoked"),
        tenancy.TenantCreated(
            tenant_id=TENANT,
            name="Acme",
            time_zone=None,
            base_currency=None,
            primary_source=None,
        ),
        tenancy.TenantUpdated(
            tenant_id=TENANT,
            name="Acme",
            time_zone="Europe/Tallinn",
            base_currency="EUR",
            primary_source="katana",
            changed=["time_zone", "base_currency", "primary_source"],
        ),
        tenancy.TenantDeleted(tenant_id=TENANT),
        planning.EffectiveSettingsChanged(settings_version=3, records=[_settings_record()]),
        planning.SettingsChanged(
            settings_version=3, scope="supplier", scope_id="7", changed_keys=["moq"]
        ),
        planning.PlanUpdated(
            plan_id=RUN,
            plan_version=5,
            as_of=date(2026, 3, 14),
            trigger="forecast",
            forecast_run_id=RUN,
            sku_location_count=120,
            order_suggestion_count=14,
        ),
        forecasting.ForecastsPublished(
            forecast_run_id=RUN, batch_seq=1, forecasts=[forecast_record()]
        ),
        forecasting.ForecastRunCompleted(
            forecast_run_id=RUN,
            as_of=date(2026, 3, 14),
            trigger="sync",
            batch_count=1,
            forecast_count=1,
        ),
        po.PurchaseOrderSubmissionRequested(
            submission_id=SUBMISSION,
            po_draft_id=DRAFT,
            attempt=1,
            connection_id=CONNECTION,
            source="xero",
            supplier_id="contact-1",
            location_id="xero",
            order_number="RS-PO-000042",
            currency="USD",
            fx_rate_to_base=Decimal("0.91"),
            status="DRAFT",
            expected_arrival=date(2026, 4, 1),
            notes="auto-planned",
            lines=[
                po.PurchaseOrderLineRequest(
                    line_id=DRAFT,
                    variant_id="item-1",
                    item_code="TS-501",
                    quantity=Decimal("4"),
                    purchase_uom="box",
                    purchase_uom_conversion_rate=Decimal("12"),
                    unit_price=Decimal("120.00"),
                )
            ],
        ),
        po.PurchaseOrderSubmitted(
            submission_id=SUBMISSION,
            po_draft_id=DRAFT,
            attempt=1,
            connection_id=CONNECTION,
            source="xero",
            provider_po_id="po-guid",
            provider_po_number="RS-PO-000042",
            provider_status="DRAFT",
            created_at=AT,
            found_existing=True,
        ),
        po.PurchaseOrderSubmissionFailed(
            submission_id=SUBMISSION,
            po_draft_id=DRAFT,
            attempt=2,
            connection_id=CONNECTION,
            source="katana",
            reason_code="rate_limited",
            message="Too Many Requests",
            retryable=True,
            provider_status_code=429,
            provider_details={"name": "TooManyRequests", "details": [{"path": ".x"}]},
        ),
    ]
    return {type(sample): sample for sample in samples}
