"""A Xero-shaped tenant through the real broker and Postgres: a SKU without a default
supplier gets the contact of its latest purchase order (source "last_purchase_order"),
purchase rows carry it for po-gateway, and a product ``supplier_id`` setting overrides it."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from pl_support import forecast_lists, make_settings

from planner.app import build_spec
from platform_kit.service import create_app
from platform_kit.testing.servers import serve_app
from restock_contracts.catalog.v1 import (
    SkuRecord,
    SkusChanged,
    SupplierRecord,
    SuppliersChanged,
)
from restock_contracts.forecasting.v1 import ForecastsPublished, SkuForecast
from restock_contracts.inventory.v1 import StockLevelRecord, StockLevelsChanged
from restock_contracts.purchasing.v1 import PurchaseOrderLineRecord, PurchaseOrderLinesChanged
from restock_contracts.tenancy.v1 import TenantCreated
from restock_contracts.topics import (
    FORECASTS,
    PURCHASE_ORDERS,
    SKUS,
    STOCK_LEVELS,
    SUPPLIERS,
    TENANTS,
)

pytestmark = pytest.mark.asyncio
CONN = uuid.UUID("00000000-0000-0000-0000-0000000000c2")
AT = datetime(2026, 5, 31, 12, tzinfo=UTC)
ORG = "org-1"


def _meta() -> dict[str, Any]:
    return {
        "source": "xero",
        "connection_id": CONN,
        "sync_id": None,
        "mode": "webhook",
        "batch_seq": 1,
    }


def _po(po_id: str, contact: str, day: int, status: str) -> PurchaseOrderLineRecord:
    remaining = Decimal(0) if status == "billed" else Decimal(5)
    return PurchaseOrderLineRecord(
        po_id=po_id,
        line_id=f"{po_id}-1",
        supplier_id=contact,
        location_id=ORG,
        variant_id="item-1",
        quantity_ordered=Decimal(5),
        quantity_received=Decimal(5) - remaining,
        quantity_remaining=remaining,
        currency="NZD",
        fx_rate_to_base=Decimal(1),
        order_date=datetime(2026, 5, day, tzinfo=UTC),
        raw_status=status.upper(),
        status=status,  # type: ignore[arg-type]
        updated_at=AT,
    )


async def _send(producer: Any, topic: Any, payload: Any, tenant: uuid.UUID) -> None:
    env = topic.envelope(payload, tenant_id=tenant, producer="test")
    await producer.send_and_wait(topic.name, env.to_json_bytes(), key=env.key)


async def _seed(bootstrap: str, tenant: uuid.UUID) -> None:
    from aiokafka import AIOKafkaProducer

    contacts = [
        SupplierRecord(supplier_id=c, name=n, currency="NZD", updated_at=AT)
        for c, n in (("contact-old", "Old Contact"), ("contact-new", "New Contact"))
    ]
    item = SkuRecord(
        product_id="item-1",
        variant_id="item-1",
        sku="BOLT",
        name="Bolt",
        uom="pcs",
        is_purchased=True,
        is_manufactured=False,
        is_sold=True,
        cost=Decimal(2),
        price=Decimal(5),
        default_supplier_id=None,
        updated_at=AT,
    )
    stock = StockLevelRecord(
        variant_id="item-1",
        location_id=ORG,
        on_hand=Decimal(10),
        committed=Decimal(0),
        as_of=AT,
        updated_at=AT,
    )
    forecast = SkuForecast(
        variant_id="item-1",
        location_id=ORG,
        forecast_run_id=uuid.uuid4(),
        as_of=date(2026, 6, 1),
        model="naive",
        demand_class="smooth",
        granularity="D",
        distribution="normal",
        **forecast_lists(3.0),
    )
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, max_request_size=1048576)
    await producer.start()
    try:
        created = TenantCreated(
            tenant_id=tenant, name="X", time_zone="UTC", base_currency="NZD", primary_source="xero"
        )
        await _send(producer, TENANTS, created, tenant)
        await _send(producer, SUPPLIERS, SuppliersChanged(**_meta(), records=contacts), tenant)
        await _send(producer, SKUS, SkusChanged(**_meta(), records=[item]), tenant)
        await _send(producer, STOCK_LEVELS, StockLevelsChanged(**_meta(), records=[stock]), tenant)
        lines = [_po("po-a", "contact-old", 2, "billed"), _po("po-b", "contact-new", 20, "open")]
        await _send(
            producer, PURCHASE_ORDERS, PurchaseOrderLinesChanged(**_meta(), records=lines), tenant
        )
        published = ForecastsPublished(
            forecast_run_id=uuid.uuid4(), batch_seq=1, forecasts=[forecast]
        )
        await _send(producer, FORECASTS, published, tenant)
    finally:
        await producer.stop()


async def _row_settings(http: httpx.AsyncClient, check: Any) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for _ in range(300):
        r = await http.get(f"/v1/plan/rows/item-1/{ORG}/settings")
        if r.status_code == 200:
            body = r.json()
            if check(body["settings"]["supplier_id"]):
                return body
        await asyncio.sleep(0.2)
    raise AssertionError(f"the supplier never matched: {body}")


async def test_xero_item_gets_the_contact_of_its_latest_po_and_a_product_setting_wins(
    pg_url: str, kafka_bootstrap: str, keys_dir: Path, mint_token: Any, unique_name: str
) -> None:
    tenant = uuid.uuid4()
    app = create_app(
        build_spec(make_settings(pg_url, kafka_bootstrap, keys_dir, f"pl_{unique_name}"))
    )
    headers = {"Authorization": f"Bearer {mint_token(tenant, ['planner'])}"}
    async with serve_app(app) as url, httpx.AsyncClient(base_url=url, headers=headers) as http:
        await asyncio.wait_for(app.state.runtime.consumer.ready.wait(), 60)
        await _seed(kafka_bootstrap, tenant)
        view = await _row_settings(http, lambda s: s["value"] == "contact-new")
        assert view["settings"]["supplier_id"]["source"] == "last_purchase_order"
        assert view["settings"]["po_status_on_create"]["value"] == "DRAFT"
        rows = (await http.get("/v1/plan/purchase-rows")).json()
        assert [
            (r["variant_id"], r["supplier_id"], r["supplier_currency"]) for r in rows["items"]
        ] == [("item-1", "contact-new", "NZD")]
        page = (await http.get("/v1/plan", params={"supplier_id": "contact-new"})).json()
        assert page["total"] == 1 and page["items"][0]["supplier_name"] == "New Contact"

        patch = await http.patch(
            "/v1/settings/products/item-1", json={"values": {"supplier_id": "contact-old"}}
        )
        assert patch.status_code == 200, patch.text
        view = await _row_settings(http, lambda s: s["value"] == "contact-old")
        assert view["settings"]["supplier_id"]["source"] == "product_override"
        audit = (await http.get("/v1/settings/audit")).json()
        assert [(a["key"], a["new_value"]) for a in audit["items"]] == [
            ("supplier_id", "contact-old")
        ]
        refused = await http.patch(
            "/v1/settings/global", json={"values": {"supplier_id": "contact-old"}}
        )
        assert refused.status_code == 422 and "supplier_id" in refused.text
