"""Events through the real broker and Postgres → plan rows, PlanUpdated, effective
settings; settings edits re-plan without re-forecasting; provisional POs; isolation."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from pl_support import Bus, forecast_lists, make_settings

from planner.app import build_spec
from platform_kit.service import create_app
from platform_kit.testing.servers import serve_app
from restock_contracts.catalog.v1 import (
    LocationRecord,
    LocationsChanged,
    SkuRecord,
    SkusChanged,
    SupplierRecord,
    SuppliersChanged,
)
from restock_contracts.forecasting.v1 import ForecastsPublished, SkuForecast
from restock_contracts.inventory.v1 import StockLevelRecord, StockLevelsChanged
from restock_contracts.po.v1 import (
    PurchaseOrderLineRequest,
    PurchaseOrderSubmissionRequested,
    PurchaseOrderSubmitted,
)
from restock_contracts.purchasing.v1 import PurchaseOrderLineRecord, PurchaseOrderLinesChanged
from restock_contracts.tenancy.v1 import TenantCreated
from restock_contracts.topics import (
    FORECASTS,
    LOCATIONS,
    PLANS,
    PO_SUBMISSION_REQUESTS,
    PO_SUBMISSION_RESULTS,
    PURCHASE_ORDERS,
    SETTINGS,
    SKUS,
    STOCK_LEVELS,
    SUPPLIERS,
    TENANTS,
)

pytestmark = pytest.mark.asyncio
CONN = uuid.UUID("00000000-0000-0000-0000-0000000000c1")
AT = datetime(2026, 5, 31, 12, tzinfo=UTC)
RUN = uuid.UUID("00000000-0000-0000-0000-0000000000f1")


def _meta() -> dict[str, Any]:
    return {
        "source": "katana",
        "connection_id": CONN,
        "sync_id": None,
        "mode": "webhook",
        "batch_seq": 1,
    }


def _sku(v: str, **kw: Any) -> SkuRecord:
    base: dict[str, Any] = {
        "product_id": "p",
        "variant_id": v,
        "sku": f"SKU-{v}",
        "name": f"Thing {v}",
        "category": "tools",
        "uom": "pcs",
        "purchase_uom": "box",
        "purchase_uom_conversion_rate": Decimal(10),
        "is_purchased": True,
        "is_manufactured": False,
        "is_sold": True,
        "cost": Decimal(2),
        "price": Decimal(5),
        "default_supplier_id": "s1",
        "lead_time_days": 21,
        "updated_at": AT,
    }
    base.update(kw)
    return SkuRecord(**base)


def _forecast(v: str, rate: float) -> SkuForecast:
    return SkuForecast(
        variant_id=v,
        location_id="wh",
        forecast_run_id=RUN,
        as_of=date(2026, 6, 1),
        model="naive",
        demand_class="smooth",
        granularity="D",
        distribution="normal",
        **forecast_lists(rate),
    )


async def _seed(bus: Bus, tenant: uuid.UUID) -> None:
    await bus.send(
        TENANTS,
        TenantCreated(
            tenant_id=tenant,
            name="A",
            time_zone="UTC",
            base_currency="EUR",
            primary_source="katana",
        ),
        tenant,
    )
    await bus.send(
        SUPPLIERS,
        SuppliersChanged(
            **_meta(),
            records=[SupplierRecord(supplier_id="s1", name="Acme", currency="USD", updated_at=AT)],
        ),
        tenant,
    )
    await bus.send(
        LOCATIONS,
        LocationsChanged(
            **_meta(),
            records=[
                LocationRecord(location_id="wh", name="Warehouse", updated_at=AT),
                LocationRecord(
                    location_id="shop",
                    name="Shop",
                    is_sales_only=True,
                    purchasing_location_id="wh",
                    updated_at=AT,
                ),
            ],
        ),
        tenant,
    )
    await bus.send(SKUS, SkusChanged(**_meta(), records=[_sku("v1"), _sku("v2")]), tenant)
    await bus.send(
        STOCK_LEVELS,
        StockLevelsChanged(
            **_meta(),
            records=[
                StockLevelRecord(
                    variant_id="v1",
                    location_id="wh",
                    on_hand=Decimal(100),
                    committed=Decimal(0),
                    as_of=AT,
                    updated_at=AT,
                ),
                StockLevelRecord(
                    variant_id="v1",
                    location_id="shop",
                    on_hand=Decimal(20),
                    committed=Decimal(0),
                    as_of=AT,
                    updated_at=AT,
                ),
                StockLevelRecord(
                    variant_id="v2",
                    location_id="wh",
                    on_hand=Decimal(5000),
                    committed=Decimal(0),
                    as_of=AT,
                    updated_at=AT,
                ),
            ],
        ),
        tenant,
    )
    await bus.send(
        PURCHASE_ORDERS,
        PurchaseOrderLinesChanged(
            **_meta(),
            records=[
                PurchaseOrderLineRecord(
                    po_id="po1",
                    line_id="l1",
                    supplier_id="s1",
                    location_id="wh",
                    variant_id="v1",
                    quantity_ordered=Decimal(30),
                    quantity_received=Decimal(0),
                    quantity_remaining=Decimal(30),
                    currency="USD",
                    fx_rate_to_base=Decimal("0.9"),
                    order_date=AT,
                    raw_status="NOT_RECEIVED",
                    status="open",
                    updated_at=AT,
                )
            ],
        ),
        tenant,
    )
    await bus.send(
        FORECASTS,
        ForecastsPublished(
            forecast_run_id=RUN,
            batch_seq=1,
            forecasts=[_forecast("v1", 10.0), _forecast("v2", 1.0)],
        ),
        tenant,
    )


async def _get(http: httpx.AsyncClient, token: str, path: str, **params: Any) -> Any:
    r = await http.get(path, params=params, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.text
    return r.json()


async def _until(http: httpx.AsyncClient, token: str, check: Any, timeout_s: float = 60) -> Any:
    for _ in range(int(timeout_s / 0.2)):
        page = await _get(http, token, "/v1/plan", page_size=100, sort="sku")
        if check(page):
            return page
        await asyncio.sleep(0.2)
    raise AssertionError(f"plan never satisfied the check: {page}")


async def test_events_to_plan_settings_replan_and_provisional_pos(
    pg_url: str, kafka_bootstrap: str, keys_dir: Path, mint_token: Any, unique_name: str
) -> None:
    tenant, other = uuid.uuid4(), uuid.uuid4()
    app = create_app(
        build_spec(make_settings(pg_url, kafka_bootstrap, keys_dir, f"pl_{unique_name}"))
    )
    bus = Bus(kafka_bootstrap, [PLANS, SETTINGS])
    async with serve_app(app) as url, httpx.AsyncClient(base_url=url) as http:
        await asyncio.wait_for(app.state.runtime.consumer.ready.wait(), 60)
        await bus.start()
        try:
            await _seed(bus, tenant)
            token = mint_token(tenant, ["planner"])
            page = await _until(
                http,
                token,
                lambda p: (
                    p["total"] == 2
                    and all(r["has_forecast"] for r in p["items"])
                    and p["items"][0]["on_order"] == 30
                ),
            )
            v1, v2 = page["items"]
            assert v1["on_hand"] == 120 and v1["rolled_up_locations"] == ["shop"]
            assert v1["net_position"] == 150 and v1["reorder_point"] == pytest.approx(210)
            assert v1["order_qty"] == 130 and v1["order_qty_purchase_uom"] == 13  # OUT 280 − 150
            assert v1["status"] == "understocked" and v2["status"] == "overstocked"
            assert "explanation" not in v1
            detail = await _get(http, token, "/v1/plan/rows/v1/wh")
            assert "on hand 120 + on order 30 = net 150" in detail["explanation"]
            events = await bus.wait_for(
                tenant,
                lambda es: (
                    any(e.event_type == "planning.plan_updated" for e in es)
                    and any(e.event_type == "planning.effective_settings_changed" for e in es)
                ),
            )
            eff = [
                r
                for e in events
                if e.event_type == "planning.effective_settings_changed"
                for r in e.payload.records
            ]
            assert {(r.variant_id, r.lead_time_days.source) for r in eff} >= {("v1", "provider")}
            version = page["plan_version"]

            patch = await http.patch(
                "/v1/settings/suppliers/s1",
                json={"values": {"review_period_days": 7, "moq": "300"}},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert patch.status_code == 200, patch.text
            page = await _until(
                http,
                token,
                lambda p: p["plan_version"] > version and p["items"][0]["order_qty"] == 300,
            )
            changed = await bus.wait_for(
                tenant, lambda es: any(e.event_type == "planning.settings_changed" for e in es)
            )
            sc = next(e.payload for e in changed if e.event_type == "planning.settings_changed")
            assert sc.scope == "supplier" and sc.requires_reforecast, "review period → horizon"
            assert "backtest_horizon_days" in sc.changed_keys
            eff_view = await _get(http, token, "/v1/plan/rows/v1/wh/settings")
            assert eff_view["settings"]["moq"] == {"value": "300", "source": "supplier"}
            assert eff_view["settings"]["lead_time_days"]["source"] == "provider"

            submission = uuid.uuid4()
            await bus.send(
                PO_SUBMISSION_REQUESTS,
                PurchaseOrderSubmissionRequested(
                    submission_id=submission,
                    po_draft_id=uuid.uuid4(),
                    attempt=1,
                    connection_id=CONN,
                    source="katana",
                    supplier_id="s1",
                    location_id="wh",
                    order_number="R-1",
                    currency="USD",
                    fx_rate_to_base=Decimal(1),
                    status="NOT_RECEIVED",
                    lines=[
                        PurchaseOrderLineRequest(
                            line_id=uuid.uuid4(),
                            variant_id="v1",
                            quantity=Decimal(30),
                            purchase_uom_conversion_rate=Decimal(10),
                            unit_price=Decimal(1),
                        )
                    ],
                ),
                tenant,
            )
            await bus.send(
                PO_SUBMISSION_RESULTS,
                PurchaseOrderSubmitted(
                    submission_id=submission,
                    po_draft_id=uuid.uuid4(),
                    attempt=1,
                    connection_id=CONN,
                    source="katana",
                    provider_po_id="K-77",
                    provider_po_number="R-1",
                    created_at=AT,
                ),
                tenant,
            )
            page = await _until(http, token, lambda p: p["items"][0]["on_order"] == 330)
            assert page["items"][0]["provisional_on_order"] == 300
            await bus.send(
                PURCHASE_ORDERS,
                PurchaseOrderLinesChanged(
                    **_meta(),
                    records=[
                        PurchaseOrderLineRecord(
                            po_id="K-77",
                            line_id="x1",
                            supplier_id="s1",
                            location_id="wh",
                            variant_id="v1",
                            quantity_ordered=Decimal(300),
                            quantity_received=Decimal(0),
                            quantity_remaining=Decimal(300),
                            currency="USD",
                            fx_rate_to_base=Decimal(1),
                            order_date=AT,
                            raw_status="DRAFT",
                            status="draft",
                            updated_at=AT,
                        )
                    ],
                ),
                tenant,
            )
            page = await _until(http, token, lambda p: p["items"][0]["provisional_on_order"] == 0)
            assert page["items"][0]["on_order"] == 330, "matched by provider id: counted once"

            stranger = mint_token(other, ["admin"])
            assert (await _get(http, stranger, "/v1/plan"))["total"] == 0
            r = await http.get(
                "/v1/plan/rows/v1/wh", headers={"Authorization": f"Bearer {stranger}"}
            )
            assert r.status_code == 404
            assert (await http.get("/v1/plan")).status_code == 401
        finally:
            await bus.stop()
