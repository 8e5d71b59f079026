"""Pure logic: dates, FX, time zones, normalisation, webhook signatures, PO bodies, schedule."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from connector_xero.domain import normalise as n
from connector_xero.domain import purchase_orders as po
from connector_xero.domain.msdates import parse_date, parse_instant, since_header
from connector_xero.domain.oauth import state_hash, token_claims
from connector_xero.domain.schedule import next_refresh
from connector_xero.domain.values import content_hash, fx_to_base, iana_zone
from connector_xero.domain.webhooks import parse_events, signature_ok
from restock_contracts.po.v1 import PurchaseOrderLineRequest, PurchaseOrderSubmissionRequested

FACTS = n.OrgFacts(
    "org-1", "NZD", "Pacific/Auckland", date(2026, 6, 1), datetime(2026, 6, 1, tzinfo=UTC)
)


def test_ms_dates_and_since_header() -> None:
    assert parse_instant("/Date(1552348800000+0000)/") == datetime(2019, 3, 12, tzinfo=UTC)
    assert parse_date("/Date(1552348800000+0000)/") == date(2019, 3, 12)
    assert parse_instant("2019-03-05T18:59:06Z") == datetime(2019, 3, 5, 18, 59, 6, tzinfo=UTC)
    assert parse_instant(None) is None
    from datetime import timedelta

    assert (
        since_header(datetime(2026, 1, 1, 0, 10, tzinfo=UTC), timedelta(minutes=5))
        == "2026-01-01T00:05:00"
    )


def test_fx_is_the_inverse_of_xero_currency_rate_and_zones_map() -> None:
    assert fx_to_base(1.0) == 1
    assert fx_to_base(0.5) == 2, "0.5 USD per NZD -> 2 NZD per USD"
    assert fx_to_base(None) == 1 and fx_to_base(0) == 1
    assert iana_zone("NEWZEALANDSTANDARDTIME") == "Pacific/Auckland"
    assert iana_zone("AUSEASTERNSTANDARDTIME") == "Australia/Sydney"
    assert iana_zone("MARSSTANDARDTIME") is None
    assert content_hash({"a": 1, "as_of": 2}, ("as_of",)) == content_hash(
        {"a": 1, "as_of": 3}, ("as_of",)
    )


def test_items_invoices_credit_notes_and_pos_normalise() -> None:
    item = {
        "ItemID": "i1",
        "Code": "SKU-1",
        "Name": "Widget",
        "IsTrackedAsInventory": True,
        "QuantityOnHand": 4.0,
        "TotalCostPool": 10.0,
        "PurchaseDetails": {"UnitPrice": 2.5},
        "SalesDetails": {"UnitPrice": 6},
        "UpdatedDateUTC": "/Date(1552348800000+0000)/",
    }
    sku, level = n.item(item, FACTS)
    assert sku.record.sku == "SKU-1" and sku.record.cost == Decimal("2.5")
    assert level.record.on_hand == 4 and level.record.average_cost == Decimal("2.5")
    assert n.item({**item, "IsTrackedAsInventory": False}, FACTS) == []
    line = {
        "LineItemID": "l1",
        "ItemCode": "SKU-1",
        "Item": {"ItemID": "i1"},
        "Quantity": 2.0,
        "UnitAmount": 5.0,
        "LineAmount": 11.5,
        "TaxAmount": 1.5,
    }
    invoice = {
        "Type": "ACCREC",
        "InvoiceID": "inv",
        "Status": "VOIDED",
        "Date": "/Date(1780272000000+0000)/",
        "CurrencyCode": "USD",
        "CurrencyRate": 0.5,
        "LineAmountTypes": "Inclusive",
        "LineItems": [line, {"LineItemID": "l2", "Description": "freight"}],
    }
    [sale] = n.invoice_lines(invoice, FACTS, {})
    assert sale.record.status == "cancelled" and sale.record.raw_status == "VOIDED"
    assert sale.record.fx_rate_to_base == 2 and sale.record.base_amount == Decimal("20.00")
    assert sale.record.order_date.hour == 0 and sale.parent_id == "inv"
    assert n.invoice_lines({**invoice, "Type": "ACCPAY"}, FACTS, {}) == []
    note = {
        "Type": "ACCRECCREDIT",
        "CreditNoteID": "cn",
        "Status": "PAID",
        "Date": "/Date(1780272000000+0000)/",
        "LineItems": [{**line, "LineItemID": "c1"}],
        "Allocations": [{"Invoice": {"InvoiceID": "inv"}}],
    }
    original = datetime(2026, 5, 1, tzinfo=UTC)
    [ret] = n.credit_note_lines(note, FACTS, {}, original)
    assert (
        ret.record.is_return
        and ret.record.status == "returned"
        and ret.record.original_sale_date == original
    )
    assert n.allocated_invoice_id(note) == "inv"
    purchase = {
        "PurchaseOrderID": "p1",
        "Status": "AUTHORISED",
        "Date": "/Date(1780272000000+0000)/",
        "DeliveryDate": "/Date(1780272000000+0000)/",
        "ExpectedArrivalDate": "/Date(1780272000000+0000)/",
        "Contact": {"ContactID": "s1"},
        "LineItems": [{**line, "LineItemID": "pl"}],
    }
    [received] = n.purchase_order_lines(purchase, FACTS, {}, {})
    assert received.record.status == "received" and received.record.quantity_remaining == 0
    future = {**purchase, "DeliveryDate": "/Date(1893456000000+0000)/"}
    [open_line] = n.purchase_order_lines(future, FACTS, {}, {"p1": uuid.UUID(int=1)})
    assert open_line.record.status == "open" and open_line.record.quantity_remaining == 2
    assert open_line.record.created_by_restock
    [draft] = n.purchase_order_lines({**purchase, "Status": "DRAFT"}, FACTS, {}, {})
    assert draft.record.status == "draft" and draft.record.raw_status == "DRAFT"


def test_webhook_signature_and_events() -> None:
    body = json.dumps(
        {
            "events": [
                {
                    "resourceUrl": "https://evil.example/",
                    "resourceId": str(uuid.uuid4()),
                    "eventCategory": "INVOICE",
                    "tenantId": "t1",
                },
                {"resourceId": "not-a-uuid", "eventCategory": "INVOICE", "tenantId": "t1"},
                {
                    "resourceId": str(uuid.uuid4()),
                    "eventCategory": "SUBSCRIPTION",
                    "tenantId": "t1",
                },
            ]
        }
    ).encode()
    good = base64.b64encode(hmac.new(b"key", body, hashlib.sha256).digest()).decode()
    assert signature_ok("key", body, good)
    assert not signature_ok("key", body + b" ", good)
    assert not signature_ok("key", body, None) and not signature_ok("", body, good)
    [event] = parse_events(body)
    assert event.category == "INVOICE" and event.xero_tenant_id == "t1"
    assert not hasattr(event, "resource_url"), "payload URLs are never kept"


def test_po_body_key_and_errors() -> None:
    req = PurchaseOrderSubmissionRequested(
        submission_id=uuid.uuid4(),
        po_draft_id=uuid.uuid4(),
        attempt=1,
        connection_id=uuid.uuid4(),
        source="xero",
        supplier_id="s1",
        location_id="l",
        order_number="RS-1",
        currency="USD",
        fx_rate_to_base=Decimal("1.6"),
        status="SUBMITTED",
        expected_arrival=date(2026, 7, 1),
        lines=[
            PurchaseOrderLineRequest(
                line_id=uuid.uuid4(),
                variant_id="i1",
                item_code="SKU-1",
                quantity=Decimal("3"),
                purchase_uom_conversion_rate=Decimal(1),
                unit_price=Decimal("4.50"),
            )
        ],
    )
    [element] = po.po_body(req, "NZD", date(2026, 6, 1))["PurchaseOrders"]
    assert element["PurchaseOrderNumber"] == "RS-1" and element["Status"] == "SUBMITTED"
    assert element["CurrencyRate"] == "0.625" and element["DeliveryDate"] == "2026-07-01"
    key = po.idempotency_key("c", "RS-1", "h")
    assert key == po.idempotency_key("c", "RS-1", "h") and len(key) <= 128
    assert key != po.idempotency_key("c", "RS-1", "other")
    assert po.is_duplicate_number(["Order number must be unique"])
    assert po.failure_reason(429) == ("rate_limited", True)
    assert po.failure_reason(400) == ("validation", False)


def test_schedule_and_oauth_helpers() -> None:
    now = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)  # 00:00 NZST on 2 June
    nxt = next_refresh(now, "Pacific/Auckland", 2)
    assert nxt == datetime(2026, 6, 1, 14, 0, tzinfo=UTC)
    assert next_refresh(nxt, "Pacific/Auckland", 2) == datetime(2026, 6, 2, 14, 0, tzinfo=UTC)
    assert len(state_hash("s")) == 64 and state_hash("s") != "s"
    payload = (
        base64.urlsafe_b64encode(json.dumps({"authentication_event_id": "a"}).encode())
        .decode()
        .rstrip("=")
    )
    assert token_claims(f"h.{payload}.s") == {"authentication_event_id": "a"}
    assert token_claims("garbage") == {}
