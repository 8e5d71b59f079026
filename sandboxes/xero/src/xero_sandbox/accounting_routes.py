"""Read endpoints of the Accounting API (``/api.xro/2.0``)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from xero_sandbox.envelope import (
    csv_param,
    envelope,
    not_found,
    org_of,
    paginate,
    param,
    rendered,
    select,
)
from xero_sandbox.errors import ApiError, api_exception
from xero_sandbox.query import Predicate
from xero_sandbox.store import Record

router = APIRouter(prefix="/api.xro/2.0")

_SUMMARY_DROP = ("LineItems", "Payments", "CreditNotes", "Addresses", "Phones")


def _truthy(value: str | None) -> bool:
    return (value or "").lower() == "true"


def _in(field: str, values: list[str] | None) -> list[Predicate]:
    if not values:
        return []
    wanted = {v.lower() for v in values}
    return [lambda r: str(r.get(field, "")).lower() in wanted]


def _summary(rows: list[Record]) -> list[Record]:
    return [{k: v for k, v in row.items() if k not in _SUMMARY_DROP} for row in rows]


def _single(request: Request, collection: str, key: str) -> JSONResponse:
    record = org_of(request).find(collection, key)
    if record is None:
        return not_found()
    return envelope(request, collection, rendered(request, collection, [record], True))


@router.get("/Organisation")
async def get_organisation(request: Request) -> JSONResponse:
    """The organisation of the tenant (base currency, time zone, name...)."""
    return envelope(
        request,
        "Organisations",
        rendered(request, "Organisation", [org_of(request).organisation], True),
    )


@router.get("/Items")
async def get_items(request: Request) -> JSONResponse:
    """All items (Xero does not page Items)."""
    records = select(request, "Items", [])
    return envelope(request, "Items", rendered(request, "Items", records, True))


@router.get("/Items/{key}")
async def get_item(request: Request, key: str) -> JSONResponse:
    """One item by ItemID or Code."""
    return _single(request, "Items", key)


@router.delete("/Items/{key}", response_model=None)
async def delete_item(request: Request, key: str) -> Response:
    """Hard-delete an item (204)."""
    org = org_of(request)
    record = org.find("Items", key)
    if record is None:
        return not_found()
    del org.collections["Items"][record["ItemID"]]
    return Response(status_code=204)


@router.get("/Invoices")
async def get_invoices(request: Request) -> JSONResponse:
    """Invoices; ``LineItems`` only when ``page`` is given, as Xero does."""
    filters = [
        *_in("Status", csv_param(request, "Statuses")),
        *_in("InvoiceID", csv_param(request, "IDs")),
        *_in("InvoiceNumber", csv_param(request, "InvoiceNumbers")),
    ]
    contact_ids = {c.lower() for c in csv_param(request, "ContactIDs") or []}
    if contact_ids:
        filters.append(lambda r: str(r["Contact"]["ContactID"]).lower() in contact_ids)
    records, pagination = paginate(request, select(request, "Invoices", filters))
    rows = rendered(request, "Invoices", records, pagination is not None)
    if _truthy(param(request, "summaryOnly")):
        rows = _summary(rows)
    return envelope(request, "Invoices", rows, pagination)


@router.get("/Invoices/{key}")
async def get_invoice(request: Request, key: str) -> JSONResponse:
    """One invoice by InvoiceID or InvoiceNumber (with line items)."""
    return _single(request, "Invoices", key)


@router.get("/CreditNotes")
async def get_credit_notes(request: Request) -> JSONResponse:
    """Credit notes; ``LineItems`` only when ``page`` is given."""
    records, pagination = paginate(request, select(request, "CreditNotes", []))
    return envelope(
        request,
        "CreditNotes",
        rendered(request, "CreditNotes", records, pagination is not None),
        pagination,
    )


@router.get("/CreditNotes/{key}")
async def get_credit_note(request: Request, key: str) -> JSONResponse:
    """One credit note by CreditNoteID or number."""
    return _single(request, "CreditNotes", key)


def _date_param(request: Request, name: str) -> date | None:
    text = param(request, name)
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError as exc:
        raise ApiError(api_exception(f"{name} must be a date (YYYY-MM-DD)")) from exc


@router.get("/PurchaseOrders")
async def get_purchase_orders(request: Request) -> JSONResponse:
    """Purchase orders filtered by ``Status``, ``DateFrom``, ``DateTo`` (no ``where``)."""
    filters: list[Predicate] = []
    status = param(request, "Status")
    if status:
        filters.append(lambda r: r["Status"] == status.upper())
    date_from, date_to = _date_param(request, "DateFrom"), _date_param(request, "DateTo")
    if date_from is not None:
        filters.append(lambda r: r["Date"] >= date_from)
    if date_to is not None:
        filters.append(lambda r: r["Date"] <= date_to)
    records, pagination = paginate(
        request, select(request, "PurchaseOrders", filters, use_where=False)
    )
    return envelope(
        request, "PurchaseOrders", rendered(request, "PurchaseOrders", records, True), pagination
    )


@router.get("/PurchaseOrders/{key}")
async def get_purchase_order(request: Request, key: str) -> JSONResponse:
    """One purchase order by PurchaseOrderID or PurchaseOrderNumber."""
    return _single(request, "PurchaseOrders", key)


@router.get("/Contacts")
async def get_contacts(request: Request) -> JSONResponse:
    """Contacts; archived ones only with ``includeArchived=true``."""
    filters = _in("ContactID", csv_param(request, "IDs"))
    if not _truthy(param(request, "includeArchived")):
        filters.append(lambda r: r.get("ContactStatus") != "ARCHIVED")
    term = (param(request, "searchTerm") or "").casefold()
    if term:
        fields = ("Name", "FirstName", "LastName", "ContactNumber", "EmailAddress")
        filters.append(lambda r: any(term in str(r.get(f) or "").casefold() for f in fields))
    records, pagination = paginate(request, select(request, "Contacts", filters))
    rows = rendered(request, "Contacts", records, True)
    if _truthy(param(request, "summaryOnly")):
        rows = _summary(rows)
    return envelope(request, "Contacts", rows, pagination)


@router.get("/Contacts/{key}")
async def get_contact(request: Request, key: str) -> JSONResponse:
    """One contact by ContactID or ContactNumber."""
    return _single(request, "Contacts", key)
