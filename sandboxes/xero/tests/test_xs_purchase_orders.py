"""Creating purchase orders: validation shapes, summarizeErrors, idempotency, updates, faults."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from xero_sandbox.testing import RunningSandbox


@pytest.fixture
def ctx(sandbox: RunningSandbox) -> dict[str, Any]:
    token = sandbox.connect()
    headers = sandbox.api_headers(token, sandbox.tenant_ids[0])
    contacts = sandbox.http.get(
        f"{sandbox.api_url}/Contacts", params={"where": "IsSupplier==true"}, headers=headers
    ).json()
    items = sandbox.http.get(f"{sandbox.api_url}/Items", headers=headers).json()["Items"]
    return {
        "sb": sandbox,
        "headers": headers,
        "contact": contacts["Contacts"][0]["ContactID"],
        "code": items[0]["Code"],
    }


def po(ctx: dict[str, Any], **extra: Any) -> dict[str, Any]:
    body = {
        "Contact": {"ContactID": ctx["contact"]},
        "Date": "2026-11-02",
        "DeliveryDate": "2026-11-16",
        "Reference": "PLAN-1",
        "Status": "DRAFT",
        "LineItems": [{"ItemCode": ctx["code"], "Quantity": 10, "UnitAmount": 4.5}],
    }
    body.update(extra)
    return body


def put(ctx: dict[str, Any], body: Any, key: str | None = None, **params: Any) -> httpx.Response:
    headers = dict(ctx["headers"])
    if key:
        headers["Idempotency-Key"] = key
    return ctx["sb"].http.put(
        f"{ctx['sb'].api_url}/PurchaseOrders", json=body, headers=headers, params=params
    )


def test_create_returns_the_po_with_totals(ctx: dict[str, Any]) -> None:
    response = put(ctx, {"PurchaseOrders": [po(ctx, PurchaseOrderNumber="RS-1")]})
    assert response.status_code == 200
    created = response.json()["PurchaseOrders"][0]
    assert created["PurchaseOrderNumber"] == "RS-1"
    assert created["Status"] == "DRAFT"
    assert created["SubTotal"] == 45.0
    assert created["Total"] == 51.75
    assert created["DeliveryDate"].startswith("/Date(")
    assert created["DeliveryDateString"] == "2026-11-16T00:00:00"
    assert created["LineItems"][0]["Item"]["Code"] == ctx["code"]
    fetched = (
        ctx["sb"]
        .http.get(f"{ctx['sb'].api_url}/PurchaseOrders/RS-1", headers=ctx["headers"])
        .json()
    )
    assert fetched["PurchaseOrders"][0]["PurchaseOrderID"] == created["PurchaseOrderID"]


def test_summarised_validation_error_is_400_with_elements(ctx: dict[str, Any]) -> None:
    put(ctx, {"PurchaseOrders": [po(ctx, PurchaseOrderNumber="DUP-1")]})
    bad = po(ctx, PurchaseOrderNumber="DUP-1", Status="BILLED")
    bad["LineItems"] = [{"ItemCode": "NO-SUCH-SKU", "Quantity": 1}]
    response = put(ctx, {"PurchaseOrders": [bad]})
    assert response.status_code == 400
    body = response.json()
    assert body["Type"] == "ValidationException"
    assert body["ErrorNumber"] == 10
    messages = {e["Message"] for e in body["Elements"][0]["ValidationErrors"]}
    assert "Order number must be unique" in messages
    assert "Item code 'NO-SUCH-SKU' is not valid" in messages
    assert any("Status" in m for m in messages)


def test_unknown_contact_and_missing_lines(ctx: dict[str, Any]) -> None:
    body = po(ctx, Contact={"ContactID": "6d2b8f0e-0000-4000-8000-000000000000"}, LineItems=[])
    messages = [e["Message"] for e in put(ctx, body).json()["Elements"][0]["ValidationErrors"]]
    assert any("could not be found" in m for m in messages)
    assert any("line item" in m for m in messages)


def test_summarize_errors_false_gives_200_per_element(ctx: dict[str, Any]) -> None:
    good, bad = po(ctx, PurchaseOrderNumber="OK-1"), po(ctx, LineItems=[{"ItemCode": "NOPE"}])
    response = put(ctx, {"PurchaseOrders": [good, bad]}, summarizeErrors="false")
    assert response.status_code == 200
    first, second = response.json()["PurchaseOrders"]
    assert first["StatusAttributeString"] == "OK"
    assert "ValidationErrors" not in first
    assert second["HasErrors"] is True
    assert second["StatusAttributeString"] == "ERROR"
    assert second["ValidationErrors"] == [{"Message": "Item code 'NOPE' is not valid"}]
    assert second["PurchaseOrderID"] == "00000000-0000-0000-0000-000000000000"


def test_idempotency_replay_mismatch_and_expiry(ctx: dict[str, Any]) -> None:
    sb: RunningSandbox = ctx["sb"]
    body = {"PurchaseOrders": [po(ctx)]}
    first = put(ctx, body, key="k-1")
    replay = put(ctx, body, key="k-1")
    assert replay.status_code == 200
    assert replay.json() == first.json()
    different = put(ctx, {"PurchaseOrders": [po(ctx, Reference="other")]}, key="k-1")
    assert different.status_code == 400
    assert "different request" in different.json()["Message"]
    sb.advance(5 * 60)
    assert put(ctx, body, key="k-1").json() == first.json()
    sb.advance(61)
    fresh = put(ctx, body, key="k-1")
    assert fresh.status_code == 200
    assert (
        fresh.json()["PurchaseOrders"][0]["PurchaseOrderID"]
        != first.json()["PurchaseOrders"][0]["PurchaseOrderID"]
    )
    assert len(sb.admin("GET", "/purchase-orders")["PurchaseOrders"]) == 2
    too_long = put(ctx, body, key="x" * 129)
    assert too_long.status_code == 400


def test_errors_are_replayed_for_the_same_key(ctx: dict[str, Any]) -> None:
    body = {"PurchaseOrders": [po(ctx, LineItems=[{"ItemCode": "NOPE"}])]}
    assert put(ctx, body, key="bad-1").status_code == 400
    assert put(ctx, body, key="bad-1").json() == put(ctx, body, key="bad-1").json()


def test_timeout_after_create_then_retry_with_same_key(ctx: dict[str, Any]) -> None:
    sb: RunningSandbox = ctx["sb"]
    sb.admin("POST", "/faults", {"timeout_after_po_create": 1})
    body = {"PurchaseOrders": [po(ctx, PurchaseOrderNumber="LOST-1")]}
    with pytest.raises(httpx.TransportError):
        put(ctx, body, key="lost")
    retry = put(ctx, body, key="lost")
    assert retry.status_code == 200
    assert [
        p["PurchaseOrderNumber"] for p in sb.admin("GET", "/purchase-orders")["PurchaseOrders"]
    ] == ["LOST-1"]


def test_post_updates_and_deletes(ctx: dict[str, Any]) -> None:
    created = put(ctx, {"PurchaseOrders": [po(ctx, PurchaseOrderNumber="UPD-1")]}).json()[
        "PurchaseOrders"
    ][0]
    url = f"{ctx['sb'].api_url}/PurchaseOrders/{created['PurchaseOrderID']}"
    updated = ctx["sb"].http.post(
        url, json={"PurchaseOrders": [{"Status": "AUTHORISED"}]}, headers=ctx["headers"]
    )
    assert updated.status_code == 200
    assert updated.json()["PurchaseOrders"][0]["Status"] == "AUTHORISED"
    upsert = (
        ctx["sb"]
        .http.post(
            f"{ctx['sb'].api_url}/PurchaseOrders",
            json={
                "PurchaseOrders": [
                    {"PurchaseOrderID": created["PurchaseOrderID"], "Status": "DELETED"},
                    po(ctx),
                ]
            },
            headers=ctx["headers"],
        )
        .json()["PurchaseOrders"]
    )
    assert upsert[0]["Status"] == "DELETED"
    assert upsert[1]["PurchaseOrderID"] != created["PurchaseOrderID"]
    missing = ctx["sb"].http.post(
        f"{ctx['sb'].api_url}/PurchaseOrders/NOPE", json={}, headers=ctx["headers"]
    )
    assert missing.status_code == 404


def test_invalid_json_is_400(ctx: dict[str, Any]) -> None:
    response = ctx["sb"].http.put(
        f"{ctx['sb'].api_url}/PurchaseOrders", content=b"{nope", headers=ctx["headers"]
    )
    assert response.status_code == 400
    assert response.json()["ErrorNumber"] == 17
