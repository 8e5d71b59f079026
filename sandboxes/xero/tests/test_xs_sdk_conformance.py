"""Conformance through Xero's own SDK (xero-python) and Authlib for the code exchange."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from authlib.integrations.requests_client import OAuth2Session
from xero_python.accounting import AccountingApi
from xero_python.accounting.models import Contact, LineItem, PurchaseOrder, PurchaseOrders
from xero_python.api_client import ApiClient, Configuration
from xero_python.api_client.oauth2 import OAuth2Token, TokenApi
from xero_python.exceptions import NotFoundException
from xero_python.identity import IdentityApi

from xero_sandbox.testing import (
    DEFAULT_SCOPES,
    RunningSandbox,
    fast_config,
    pkce_pair,
    running_sandbox,
)


def _v(value: Any) -> Any:
    """Enum fields deserialise as enums or plain strings depending on the schema."""
    return getattr(value, "value", value)


@pytest.fixture(scope="module")
def sb() -> Iterator[RunningSandbox]:
    with running_sandbox(fast_config()) as running:
        yield running


def authlib_code_exchange(sb: RunningSandbox) -> dict[str, Any]:
    """Authorization code + PKCE S256 through Authlib's OAuth2Session."""
    sb.admin("POST", "/consent", {"auto": True})
    with OAuth2Session(
        client_id=sb.client_id,
        client_secret=sb.client_secret,
        scope=DEFAULT_SCOPES,
        redirect_uri=sb.redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",
    ) as oauth:
        verifier = "v" * 20 + pkce_pair()[0]
        url, state = oauth.create_authorization_url(sb.authorize_endpoint, code_verifier=verifier)
        redirect = sb.http.get(url, follow_redirects=False)
        assert redirect.status_code == 302
        token = oauth.fetch_token(
            sb.token_url,
            authorization_response=redirect.headers["location"],
            code_verifier=verifier,
            state=state,
        )
    return dict(token)


@pytest.fixture(scope="module")
def sdk(sb: RunningSandbox) -> Iterator[tuple[ApiClient, dict[str, Any]]]:
    token = authlib_code_exchange(sb)
    store: dict[str, Any] = {"token": token}
    original = TokenApi.refresh_token_url, TokenApi.revoke_token_url
    TokenApi.refresh_token_url = sb.token_url
    TokenApi.revoke_token_url = f"{sb.base_url}/connect/revocation"
    client = ApiClient(
        Configuration(
            oauth2_token=OAuth2Token(client_id=sb.client_id, client_secret=sb.client_secret)
        ),
        pool_threads=1,
    )
    client.oauth2_token_getter(lambda: store["token"])
    client.oauth2_token_saver(lambda t: store.__setitem__("token", t))
    try:
        yield client, store
    finally:
        TokenApi.refresh_token_url, TokenApi.revoke_token_url = original


def test_authlib_pkce_exchange_returns_a_full_token_set(sb: RunningSandbox) -> None:
    token = authlib_code_exchange(sb)
    assert token["token_type"] == "Bearer"
    assert token["expires_in"] == 1800
    assert {"access_token", "refresh_token", "id_token"} <= token.keys()


def test_sdk_refresh_flow_rotates_the_refresh_token(sdk: tuple[ApiClient, dict[str, Any]]) -> None:
    client, store = sdk
    before = store["token"]["refresh_token"]
    new = client.refresh_oauth2_token()
    assert new["refresh_token"] != before
    assert store["token"]["access_token"] == new["access_token"]


def test_sdk_connections_list_and_delete(
    sb: RunningSandbox, sdk: tuple[ApiClient, dict[str, Any]]
) -> None:
    client, _store = sdk
    identity = IdentityApi(client, base_url=sb.base_url)
    connections = identity.get_connections()
    assert {c.tenant_id.__str__() for c in connections} == set(sb.tenant_ids)
    assert all(c.tenant_type == "ORGANISATION" and c.created_date_utc for c in connections)
    second = next(c for c in connections if str(c.tenant_id) == sb.tenant_ids[1])
    identity.delete_connection(second.id)
    remaining = identity.get_connections()
    assert [str(c.tenant_id) for c in remaining] == [sb.tenant_ids[0]]
    with pytest.raises(NotFoundException):
        identity.delete_connection(second.id)


@pytest.fixture(scope="module")
def accounting(sb: RunningSandbox, sdk: tuple[ApiClient, dict[str, Any]]) -> AccountingApi:
    return AccountingApi(sdk[0], base_url=sb.api_url)


def test_sdk_organisation(sb: RunningSandbox, accounting: AccountingApi) -> None:
    org = accounting.get_organisations(sb.tenant_ids[0]).organisations[0]
    assert org.name == "Kiwi Outdoor Gear Ltd"
    assert _v(org.base_currency) == "NZD"
    assert _v(org.timezone) == "NEWZEALANDSTANDARDTIME"


def test_sdk_items(sb: RunningSandbox, accounting: AccountingApi) -> None:
    items = accounting.get_items(sb.tenant_ids[0]).items
    assert len(items) == 12
    assert all(
        i.is_tracked_as_inventory and i.code and i.quantity_on_hand is not None for i in items
    )
    assert isinstance(items[0].updated_date_utc, dt.datetime)


def test_sdk_invoices_with_page_include_line_items(
    sb: RunningSandbox, accounting: AccountingApi
) -> None:
    page = accounting.get_invoices(
        sb.tenant_ids[0], where='Type=="ACCREC"', order="UpdatedDateUTC ASC", page=1, page_size=50
    )
    assert page.pagination.page == 1
    assert page.pagination.page_size == 50
    assert len(page.invoices) == 50
    assert all(_v(inv.type) == "ACCREC" for inv in page.invoices)
    assert all(inv.line_items for inv in page.invoices)
    assert isinstance(page.invoices[0].date, dt.date)
    stamps = [inv.updated_date_utc for inv in page.invoices]
    assert stamps == sorted(stamps)
    one = accounting.get_invoice(sb.tenant_ids[0], page.invoices[0].invoice_id)
    assert one.invoices[0].line_items[0].item_code


def test_sdk_credit_notes(sb: RunningSandbox, accounting: AccountingApi) -> None:
    notes = accounting.get_credit_notes(sb.tenant_ids[0], page=1).credit_notes
    assert notes
    assert all(_v(n.type) == "ACCRECCREDIT" and n.line_items for n in notes)


def test_sdk_purchase_orders_and_single_lookups(
    sb: RunningSandbox, accounting: AccountingApi
) -> None:
    tenant = sb.tenant_ids[0]
    pos = accounting.get_purchase_orders(tenant, status="BILLED", page=1, page_size=10)
    assert pos.purchase_orders
    assert all(_v(p.status) == "BILLED" for p in pos.purchase_orders)
    first = pos.purchase_orders[0]
    by_id = accounting.get_purchase_order(tenant, first.purchase_order_id).purchase_orders[0]
    by_number = accounting.get_purchase_order_by_number(tenant, first.purchase_order_number)
    assert by_number.purchase_orders[0].purchase_order_id == by_id.purchase_order_id
    assert isinstance(by_id.delivery_date, dt.date)


def test_sdk_contacts(sb: RunningSandbox, accounting: AccountingApi) -> None:
    suppliers = accounting.get_contacts(sb.tenant_ids[0], where="IsSupplier==true", page=1).contacts
    assert suppliers
    assert all(c.is_supplier for c in suppliers)


def test_sdk_create_purchase_orders_with_idempotency_key(
    sb: RunningSandbox, accounting: AccountingApi
) -> None:
    tenant = sb.tenant_ids[0]
    supplier = accounting.get_contacts(tenant, where="IsSupplier==true").contacts[0]
    item = accounting.get_items(tenant).items[0]
    po = PurchaseOrder(
        contact=Contact(contact_id=supplier.contact_id),
        date=dt.date(2026, 11, 2),
        delivery_date=dt.date(2026, 11, 20),
        reference="PLAN-1",
        status="DRAFT",
        line_items=[
            LineItem(item_code=item.code, description="restock", quantity=10, unit_amount=4.5)
        ],
    )
    first = accounting.create_purchase_orders(
        tenant,
        PurchaseOrders(purchase_orders=[po]),
        summarize_errors=False,
        idempotency_key="sdk-key-1",
    )
    again = accounting.create_purchase_orders(
        tenant,
        PurchaseOrders(purchase_orders=[po]),
        summarize_errors=False,
        idempotency_key="sdk-key-1",
    )
    created = first.purchase_orders[0]
    assert _v(created.status) == "DRAFT"
    assert created.purchase_order_number
    assert again.purchase_orders[0].purchase_order_id == created.purchase_order_id
    assert created.delivery_date == dt.date(2026, 11, 20)
    listed = sb.admin("GET", "/purchase-orders")["PurchaseOrders"]
    assert [p["PurchaseOrderID"] for p in listed] == [str(created.purchase_order_id)]


def test_sdk_revocation_removes_connections(
    sb: RunningSandbox, sdk: tuple[ApiClient, dict[str, Any]]
) -> None:
    client, store = sdk
    refresh = store["token"]["refresh_token"]
    access = store["token"]["access_token"]
    client.revoke_oauth2_token()
    response = sb.http.get(f"{sb.base_url}/connections", headers=sb.api_headers(access))
    assert response.status_code == 401
    reuse = sb.http.post(
        sb.token_url,
        data={"grant_type": "refresh_token", "refresh_token": refresh},
        auth=(sb.client_id, sb.client_secret or ""),
    )
    assert reuse.status_code == 400
    assert reuse.json() == {"error": "invalid_grant"}


EXTRAS = {
    "DateString",
    "DueDateString",
    "DeliveryDateString",
    "UpdatedDateUTCString",
    "Type",
    "HasErrors",
    "IsDiscounted",
}


@pytest.mark.parametrize(
    ("path", "collection", "model"),
    [
        ("Organisation", "Organisations", "Organisation"),
        ("Items", "Items", "Item"),
        ("Invoices?page=1", "Invoices", "Invoice"),
        ("CreditNotes?page=1", "CreditNotes", "CreditNote"),
        ("PurchaseOrders?page=1", "PurchaseOrders", "PurchaseOrder"),
        ("Contacts?page=1", "Contacts", "Contact"),
    ],
)
def test_every_emitted_field_is_known_to_the_sdk(
    sb: RunningSandbox, path: str, collection: str, model: str
) -> None:
    import xero_python.accounting.models as models

    token = sb.connect()
    body = sb.http.get(
        f"{sb.api_url}/{path}", headers=sb.api_headers(token, sb.tenant_ids[0])
    ).json()
    known = set(getattr(models, model).attribute_map.values())
    line_known = set(models.LineItem.attribute_map.values())
    for row in body[collection]:
        assert set(row) - known - EXTRAS == set(), model
        for line in row.get("LineItems", []):
            assert set(line) <= line_known
