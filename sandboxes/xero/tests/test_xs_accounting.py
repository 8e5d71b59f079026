"""Accounting API reads: envelope, dates, paging, filters, If-Modified-Since, errors."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from xero_sandbox.testing import RunningSandbox

MS_OFFSET = re.compile(r"^/Date\(\d+\+0000\)/$")
MS_PLAIN = re.compile(r"^/Date\(\d+\)/$")


@pytest.fixture(scope="module")
def token(shared_sandbox: RunningSandbox) -> dict[str, Any]:
    return shared_sandbox.connect()


def get(
    sb: RunningSandbox,
    token: dict[str, Any],
    path: str,
    headers: dict[str, str] | None = None,
    **params: Any,
) -> httpx.Response:
    all_headers = {**sb.api_headers(token, sb.tenant_ids[0]), **(headers or {})}
    return sb.http.get(f"{sb.api_url}/{path}", params=params, headers=all_headers)


def test_envelope_and_date_formats(shared_sandbox: RunningSandbox, token: dict[str, Any]) -> None:
    body = get(shared_sandbox, token, "Invoices", page=1, pageSize=5).json()
    assert body["Status"] == "OK"
    assert body["ProviderName"]
    assert body["Id"]
    assert MS_PLAIN.match(body["DateTimeUTC"])
    invoice = body["Invoices"][0]
    for field in ("Date", "DueDate", "UpdatedDateUTC"):
        assert MS_OFFSET.match(invoice[field]), invoice[field]
    assert re.match(r"^\d{4}-\d\d-\d\dT00:00:00$", invoice["DateString"])
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", invoice["UpdatedDateUTCString"])


def test_line_items_only_with_page(shared_sandbox: RunningSandbox, token: dict[str, Any]) -> None:
    without = get(shared_sandbox, token, "Invoices").json()
    assert "pagination" not in without
    assert all("LineItems" not in inv for inv in without["Invoices"])
    with_page = get(shared_sandbox, token, "Invoices", page=1).json()
    assert all(inv["LineItems"] for inv in with_page["Invoices"])


def test_paging_walks_every_invoice_once(
    shared_sandbox: RunningSandbox, token: dict[str, Any]
) -> None:
    total = len(get(shared_sandbox, token, "Invoices").json()["Invoices"])
    seen: list[str] = []
    page = 1
    while True:
        body = get(shared_sandbox, token, "Invoices", page=page, pageSize=40).json()
        seen += [inv["InvoiceID"] for inv in body["Invoices"]]
        assert body["pagination"]["itemCount"] == total
        if page >= body["pagination"]["pageCount"]:
            break
        page += 1
    assert len(seen) == len(set(seen)) == total
    assert (
        get(shared_sandbox, token, "Invoices", page=1, pageSize=5000).json()["pagination"][
            "pageSize"
        ]
        == 1000
    )


def test_where_and_order(shared_sandbox: RunningSandbox, token: dict[str, Any]) -> None:
    where = 'Type=="ACCREC" && Status=="AUTHORISED" && Date>=DateTime(2026,08,01)'
    rows = get(shared_sandbox, token, "Invoices", where=where, order="Date DESC").json()["Invoices"]
    assert rows
    assert all(r["Type"] == "ACCREC" and r["Status"] == "AUTHORISED" for r in rows)
    stamps = [int(r["Date"][6:-7]) for r in rows]
    assert stamps == sorted(stamps, reverse=True)
    assert min(stamps) >= 1785542400000
    bad = get(shared_sandbox, token, "Invoices", where='Type=="ACCREC" &&')
    assert bad.status_code == 400
    assert bad.json()["Type"] == "QueryParseException"


def test_statuses_filter(shared_sandbox: RunningSandbox, token: dict[str, Any]) -> None:
    rows = get(shared_sandbox, token, "Invoices", Statuses="DRAFT,VOIDED").json()["Invoices"]
    assert rows
    assert {r["Status"] for r in rows} <= {"DRAFT", "VOIDED"}


def test_if_modified_since(shared_sandbox: RunningSandbox, token: dict[str, Any]) -> None:
    all_rows = get(shared_sandbox, token, "Invoices").json()["Invoices"]
    stamps = sorted(int(r["UpdatedDateUTC"][6:-7]) for r in all_rows)
    cut = stamps[len(stamps) // 2]
    import datetime as dt

    since = dt.datetime.fromtimestamp(cut / 1000, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
    newer = get(shared_sandbox, token, "Invoices", headers={"If-Modified-Since": since}).json()[
        "Invoices"
    ]
    assert newer
    assert len(newer) < len(all_rows)
    assert all(int(r["UpdatedDateUTC"][6:-7]) > cut for r in newer)


def test_purchase_order_filters_and_lookup(
    shared_sandbox: RunningSandbox, token: dict[str, Any]
) -> None:
    rows = get(
        shared_sandbox, token, "PurchaseOrders", Status="AUTHORISED", DateFrom="2026-06-01"
    ).json()["PurchaseOrders"]
    assert rows
    assert all(r["Status"] == "AUTHORISED" and r["LineItems"] for r in rows)
    assert all(r["DateString"] >= "2026-06-01" for r in rows)
    number = rows[0]["PurchaseOrderNumber"]
    one = get(shared_sandbox, token, f"PurchaseOrders/{number}").json()["PurchaseOrders"][0]
    assert one["PurchaseOrderID"] == rows[0]["PurchaseOrderID"]
    assert one["Type"] == "PURCHASEORDER"
    missing = get(shared_sandbox, token, "PurchaseOrders/PO-NOPE")
    assert missing.status_code == 404
    assert missing.json()["Title"] == "Not Found"


def test_contacts_suppliers_customers(
    shared_sandbox: RunningSandbox, token: dict[str, Any]
) -> None:
    suppliers = get(shared_sandbox, token, "Contacts", where="IsSupplier==true").json()["Contacts"]
    customers = get(shared_sandbox, token, "Contacts", where="IsCustomer==true").json()["Contacts"]
    assert suppliers
    assert customers
    assert not {c["ContactID"] for c in suppliers} & {c["ContactID"] for c in customers}


def test_items_are_unpaged_and_unitdp(
    shared_sandbox: RunningSandbox, token: dict[str, Any]
) -> None:
    body = get(shared_sandbox, token, "Items", page=1, pageSize=2).json()
    assert "pagination" not in body
    assert len(body["Items"]) == 12
    code = body["Items"][0]["Code"]
    one = get(shared_sandbox, token, f"Items/{code}").json()["Items"][0]
    assert one["ItemID"] == body["Items"][0]["ItemID"]


def test_seeded_statuses_cover_what_connectors_must_handle(
    shared_sandbox: RunningSandbox, token: dict[str, Any]
) -> None:
    invoices = get(shared_sandbox, token, "Invoices").json()["Invoices"]
    statuses = {(i["Type"], i["Status"]) for i in invoices}
    assert {("ACCREC", "PAID"), ("ACCREC", "AUTHORISED"), ("ACCPAY", "PAID")} <= statuses
    assert {s for t, s in statuses if t == "ACCREC"} & {"DRAFT", "DELETED", "VOIDED", "SUBMITTED"}
    pos = get(shared_sandbox, token, "PurchaseOrders").json()["PurchaseOrders"]
    assert {"BILLED", "AUTHORISED"} <= {p["Status"] for p in pos}
    assert any("ExpectedArrivalDate" in p for p in pos)
