"""Unit tests of the pure rules: normalisation, filters, signatures, schedule, errors."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from connector_katana.adapters.katana_client import parse_error, parse_pagination
from connector_katana.domain import normalise as n
from connector_katana.domain.errors import BadRecord
from connector_katana.domain.reads import (
    READS,
    accepts,
    past_history,
    query_params,
    reads_for,
    sent,
)
from connector_katana.domain.schedule import next_local_hour
from connector_katana.domain.webhooks import affected, signature_ok
from connector_katana.handlers.publishing import content_hash
from connector_katana.handlers.rows import normalise_page

CTX = n.Context("NZD", "1")
SUB = uuid.uuid4()
PRODUCT = {
    "id": 7,
    "name": "Tent",
    "type": "product",
    "uom": "pcs",
    "category_name": "Tents",
    "is_sellable": True,
    "is_producible": False,
    "is_purchasable": True,
    "default_supplier_id": 3,
    "purchase_uom": "box",
    "purchase_uom_conversion_rate": "4",
    "lead_time": 9,
    "updated_at": "2026-01-01T00:00:00.000Z",
    "variants": [
        {
            "id": 15,
            "sku": "T-RED-XL",
            "purchase_price": "10.00",
            "sales_price": 30,
            "minimum_order_quantity": "2",
            "lead_time": None,
            "config_attributes": [
                {"config_name": "Colour", "config_value": "Red"},
                {"config_name": "Size", "config_value": "XL"},
            ],
            "updated_at": "2026-02-01T00:00:00.000Z",
        }
    ],
}


def test_sku_per_variant_with_uom_conversions_and_fallback_lead_time() -> None:
    [item] = n.skus_of_item(PRODUCT)
    sku = item.record
    assert (item.key, item.parent_id) == ("15", "7")
    assert sku.name == "Tent / Red / XL" and sku.category == "Tents"
    assert sku.cost == Decimal("2.5") and sku.price == Decimal(30)
    assert sku.moq == Decimal(8) and sku.lead_time_days == 9
    assert sku.default_supplier_id == "3" and sku.is_purchased and not sku.is_manufactured
    assert sku.updated_at == datetime(2026, 2, 1, tzinfo=UTC)


def test_sales_lines_use_order_rate_and_raw_status() -> None:
    order = {
        "id": 1,
        "status": "PENDING",
        "currency": "EUR",
        "conversion_rate": "1.8",
        "order_created_date": "2026-03-01T10:00:00Z",
        "location_id": 2,
        "order_no": "SO-1",
        "sales_order_rows": [
            {"id": 11, "variant_id": 15, "quantity": "3.00000", "price_per_unit": 10, "total": "30"}
        ],
    }
    [line] = n.sales_lines(order, CTX)
    rec = line.record
    assert (rec.raw_status, rec.status, rec.location_id) == ("PENDING", "quote", "2")
    assert rec.base_amount == Decimal("54.0000") and rec.quantity == Decimal(3)
    with pytest.raises(BadRecord, match="unknown sales order status"):
        n.sales_lines({**order, "status": "WEIRD"}, CTX)
    with pytest.raises(BadRecord, match="no conversion rate"):
        n.sales_lines({**order, "conversion_rate": None}, CTX)


def test_purchase_lines_remaining_in_stock_units_and_row_location() -> None:
    order = {
        "id": 4,
        "status": "PARTIALLY_RECEIVED",
        "currency": "NZD",
        "supplier_id": 3,
        "location_id": 1,
        "order_no": "RST-1",
        "created_at": "2026-01-01T00:00:00Z",
        "purchase_order_rows": [
            {
                "id": 41,
                "variant_id": 15,
                "quantity": 2,
                "purchase_uom_conversion_rate": 4,
                "received_date": None,
                "location_id": 2,
            },
            {"id": 42, "variant_id": 15, "quantity": "1", "received_date": "2026-01-05T00:00:00Z"},
        ],
    }
    open_row, received = (x.record for x in n.purchase_order_lines(order, CTX, {"RST-1": SUB}))
    assert open_row.quantity_remaining == Decimal(8) and open_row.location_id == "2"
    assert received.quantity_remaining == 0 and received.location_id == "1"
    assert open_row.status == "partially_received" and open_row.created_by_restock
    assert open_row.restock_submission_id == SUB


def test_bad_records_are_skipped_with_reasons_not_crashing_the_page() -> None:
    rows = [
        {"id": 1, "variant_id": 5, "location_id": 1, "quantity_in_stock": "abc"},
        {"id": 2, "location_id": 1, "quantity_in_stock": "1"},
        {
            "id": 3,
            "variant_id": 6,
            "location_id": 1,
            "quantity_in_stock": "4.50000",
            "quantity_committed": 1,
        },
    ]
    out = normalise_page("stock", rows, {}, ctx=CTX, as_of=datetime.now(UTC), page=2)
    assert [i.key for i in out.items] == ["6:1"]
    assert out.items[0].record.on_hand == Decimal("4.5")
    reasons = {s["id"]: s["reason"] for s in out.skipped}
    assert "invalid number" in reasons["1"] and "missing field 'variant_id'" in reasons["2"]


def test_client_side_filter_check_drops_rows_katana_should_not_have_returned() -> None:
    params = {
        "updated_at_min": "2026-01-01T00:00:00.000Z",
        "updated_at_max": "2026-02-01T00:00:00.000Z",
    }
    assert accepts({"updated_at": "2026-01-15T00:00:00Z"}, params)
    assert not accepts({"updated_at": "2025-12-31T23:59:59.000Z"}, params)
    assert not accepts({"updated_at": "2026-03-01T00:00:00.000Z"}, params)
    assert not accepts({"updated_at": "2026-01-15T00:00:00Z", "deleted_at": "x"}, params)
    assert not accepts({"id": 9}, {"ids": ["1", "2"]})


def test_incremental_params_pin_the_upper_bound_and_overlap_the_watermark() -> None:
    now = datetime(2026, 5, 1, tzinfo=UTC)
    mark = datetime(2026, 4, 30, tzinfo=UTC)
    params = query_params(
        READS["sales_orders"],
        mode="incremental",
        watermark=mark,
        pinned_max=now,
        overlap=timedelta(minutes=5),
        history_start=now - timedelta(days=1095),
    )
    assert params == {
        "updated_at_max": "2026-05-01T00:00:00.000Z",
        "updated_at_min": "2026-04-29T23:55:00.000Z",
        "include_deleted": "true",
    }
    refresh = query_params(
        READS["sales_orders"],
        mode="refresh",
        watermark=mark,
        pinned_max=now,
        overlap=timedelta(0),
        history_start=mark,
    )
    assert sent(refresh) == {"include_deleted": "true"}
    assert not accepts({"created_at": "2026-04-29T00:00:00Z"}, refresh)
    assert past_history([{"created_at": "2026-04-29T00:00:00Z"}], refresh)
    assert not past_history(
        [{"created_at": "2026-04-30T01:00:00Z"}, {"created_at": "2026-04-29T00:00:00Z"}], refresh
    )
    assert "variants" not in reads_for(["products"], "refresh")


def test_signature_and_affected_records_ignore_hrefs() -> None:
    body = b'{"x":1}'
    sig = hmac.new(b"tok", body, hashlib.sha256).hexdigest()
    assert signature_ok("tok", body, sig) and signature_ok("tok", body, "sha256=" + sig)
    assert not signature_ok("tok", body + b" ", sig) and not signature_ok("tok", body, None)
    event = {
        "resource_type": "purchase_order",
        "action": "purchase_order.updated",
        "object": {"id": "12", "href": "http://169.254.169.254/latest"},
    }
    assert affected(event) == ("purchase_orders", "12")
    assert affected({"action": "sales_order.deleted", "object": {"id": 3}}) == ("sales_orders", "3")
    assert affected({"action": "sales_order.deleted", "object": {"id": "../x"}}) is None
    assert affected({"action": "manufacturing_order.done", "object": {"id": 1}}) is None


def test_nightly_refresh_in_tenant_time_zone() -> None:
    now = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    at = next_local_hour(now, "Pacific/Auckland", 2)
    assert at == datetime(2026, 6, 1, 14, 0, tzinfo=UTC)
    assert next_local_hour(now, "Not/AZone", 2) == datetime(2026, 6, 2, 2, 0, tzinfo=UTC)


def test_error_bodies_flat_or_wrapped_and_string_pagination() -> None:
    wrapped = httpx.Response(
        412,
        json={"error": {"statusCode": 412, "name": "PreconditionFailedError", "message": "linked"}},
    )
    flat = httpx.Response(
        429, json={"statusCode": 429, "name": "TooManyRequests"}, headers={"Retry-After": "3"}
    )
    assert parse_error(wrapped).name == "PreconditionFailedError"
    assert parse_error(flat).retry_after == 3.0 and parse_error(flat).retryable
    page = httpx.Response(200, headers={"X-Pagination": '{"total_pages":"4","last_page":"false"}'})
    assert parse_pagination(page) == {"total_pages": 4, "last_page": False}


def test_content_hash_ignores_timestamps() -> None:
    [a] = n.skus_of_item(PRODUCT)
    [b] = n.skus_of_item({**PRODUCT, "updated_at": "2026-09-09T00:00:00Z"})
    [c] = n.skus_of_item({**PRODUCT, "name": "Other"})
    assert content_hash(a.record) == content_hash(b.record) != content_hash(c.record)
