"""Admin data mutations (``/_sandbox/tenants/{tenantId}/...``) that drive webhooks.

They stand in for changes a user makes in the Xero UI, to exercise incremental sync
(``UpdatedDateUTC`` moves to the sandbox clock) and hard deletes of items.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Body, HTTPException, Request, Response

from xero_sandbox.msdates import parse_request_date
from xero_sandbox.runtime import Sandbox, sandbox_of
from xero_sandbox.seed_common import contact_ref, line_item, totals
from xero_sandbox.store import Org, Record, render

router = APIRouter(prefix="/_sandbox/tenants/{tenant_id}", tags=["sandbox admin"])

INVOICE_STATUSES = ("DRAFT", "SUBMITTED", "AUTHORISED", "PAID", "VOIDED", "DELETED")


def _org(sandbox: Sandbox, tenant_id: str) -> Org:
    org = sandbox.orgs.get(tenant_id.lower())
    if org is None:
        raise HTTPException(404, "unknown tenant")
    return org


def _find(org: Org, collection: str, key: str) -> Record:
    record = org.find(collection, key)
    if record is None:
        raise HTTPException(404, f"{collection} {key} not found")
    return record


def _lines(org: Org, raw: list[dict[str, Any]], account: str, tax_type: str) -> list[Record]:
    lines = []
    for entry in raw:
        item = org.item_by_code(str(entry.get("ItemCode", ""))) if entry.get("ItemCode") else None
        if entry.get("ItemCode") and item is None:
            raise HTTPException(400, f"Item code '{entry['ItemCode']}' is not valid")
        description = entry.get("Description") or (item["Name"] if item else "Line")
        lines.append(
            line_item(
                item,
                description,
                float(entry.get("Quantity", 1)),
                float(entry.get("UnitAmount", 0)),
                0.15,
                account,
                tax_type,
            )
        )
    return lines


def _set_status(record: Record, status: str) -> None:
    if status not in INVOICE_STATUSES:
        raise HTTPException(400, f"invalid status {status}")
    record["Status"] = status
    total = record["Total"]
    record["AmountPaid"] = total if status == "PAID" else 0.0
    record["AmountDue"] = total if status in ("SUBMITTED", "AUTHORISED", "DRAFT") else 0.0


@router.post("/invoices")
async def create_invoice(
    request: Request, tenant_id: str, body: dict[str, Any] = Body(...)
) -> dict[str, Any]:
    """Create an invoice.

    Body: ``{"Type", "ContactID", "Status", "Date", "LineItems": [{"ItemCode", "Quantity",
    "UnitAmount"}]}``.
    """
    sandbox = sandbox_of(request)
    org = _org(sandbox, tenant_id)
    contact = _find(org, "Contacts", str(body.get("ContactID", "")))
    kind = body.get("Type", "ACCREC")
    if kind not in ("ACCREC", "ACCPAY"):
        raise HTTPException(400, "Type must be ACCREC or ACCPAY")
    now = sandbox.clock.now()
    day = parse_request_date(body.get("Date")) or now.date()
    account, tax = ("200", "OUTPUT2") if kind == "ACCREC" else ("630", "INPUT2")
    lines = _lines(org, body.get("LineItems") or [], account, tax)
    invoice: Record = {
        "Type": kind,
        "InvoiceID": str(uuid.uuid4()),
        "InvoiceNumber": body.get("InvoiceNumber")
        or f"INV-S{len(org.collections['Invoices']) + 1:05d}",
        "Reference": body.get("Reference", ""),
        "Contact": contact_ref(contact),
        "Date": day,
        "DueDate": day + timedelta(days=20),
        "LineItems": lines,
        **totals(lines),
        "AmountCredited": 0.0,
        "CurrencyCode": body.get("CurrencyCode") or org.organisation["BaseCurrency"],
        "CurrencyRate": 1.0,
        "LineAmountTypes": "Exclusive",
        "HasAttachments": False,
        "HasErrors": False,
        "IsDiscounted": False,
        "SentToContact": False,
        "UpdatedDateUTC": now,
    }
    _set_status(invoice, str(body.get("Status", "AUTHORISED")))
    if invoice["Status"] not in ("DRAFT", "DELETED"):
        contact["IsCustomer" if kind == "ACCREC" else "IsSupplier"] = True
    org.add("Invoices", invoice)
    sandbox.webhooks.notify(org.tenant_id, "INVOICE", "CREATE", invoice["InvoiceID"])
    return render("Invoices", invoice)


@router.post("/invoices/{key}")
async def update_invoice(
    request: Request, tenant_id: str, key: str, body: dict[str, Any] = Body(...)
) -> dict[str, Any]:
    """Update an invoice's ``Status``, ``Date``, ``Reference`` or ``LineItems``."""
    sandbox = sandbox_of(request)
    org = _org(sandbox, tenant_id)
    invoice = _find(org, "Invoices", key)
    if "LineItems" in body:
        account, tax = ("200", "OUTPUT2") if invoice["Type"] == "ACCREC" else ("630", "INPUT2")
        invoice["LineItems"] = _lines(org, body["LineItems"], account, tax)
        invoice.update(totals(invoice["LineItems"]))
    if "Date" in body:
        invoice["Date"] = parse_request_date(body["Date"]) or invoice["Date"]
    if "Reference" in body:
        invoice["Reference"] = body["Reference"]
    _set_status(invoice, str(body.get("Status", invoice["Status"])))
    invoice["UpdatedDateUTC"] = sandbox.clock.now()
    sandbox.webhooks.notify(org.tenant_id, "INVOICE", "UPDATE", invoice["InvoiceID"])
    return render("Invoices", invoice)


@router.post("/invoices/{key}/void")
async def void_invoice(request: Request, tenant_id: str, key: str) -> dict[str, Any]:
    """Void an authorised invoice (or delete a draft/submitted one), as Xero allows."""
    sandbox = sandbox_of(request)
    org = _org(sandbox, tenant_id)
    invoice = _find(org, "Invoices", key)
    _set_status(invoice, "DELETED" if invoice["Status"] in ("DRAFT", "SUBMITTED") else "VOIDED")
    invoice["UpdatedDateUTC"] = sandbox.clock.now()
    sandbox.webhooks.notify(org.tenant_id, "INVOICE", "UPDATE", invoice["InvoiceID"])
    return render("Invoices", invoice)


@router.post("/items/{key}")
async def update_item(
    request: Request, tenant_id: str, key: str, body: dict[str, Any] = Body(...)
) -> dict[str, Any]:
    """Update an item (``Name``, ``QuantityOnHand``, ``Code``...); no webhook (Xero has none)."""
    sandbox = sandbox_of(request)
    item = _find(_org(sandbox, tenant_id), "Items", key)
    allowed = {
        "Name",
        "Code",
        "Description",
        "PurchaseDescription",
        "QuantityOnHand",
        "IsSold",
        "IsPurchased",
        "PurchaseDetails",
        "SalesDetails",
    }
    unknown = set(body) - allowed
    if unknown:
        raise HTTPException(400, f"cannot set {sorted(unknown)}")
    item.update(body)
    item["UpdatedDateUTC"] = sandbox.clock.now()
    return render("Items", item)


@router.delete("/items/{key}", response_model=None)
async def delete_item(request: Request, tenant_id: str, key: str) -> Response:
    """Hard-delete an item (it simply disappears from ``GET /Items``)."""
    sandbox = sandbox_of(request)
    org = _org(sandbox, tenant_id)
    item = _find(org, "Items", key)
    del org.collections["Items"][item["ItemID"]]
    return Response(status_code=204)


@router.post("/contacts")
async def add_contact(
    request: Request, tenant_id: str, body: dict[str, Any] = Body(...)
) -> dict[str, Any]:
    """Add a contact: ``{"Name", "EmailAddress"?, "ContactNumber"?, "DefaultCurrency"?}``."""
    sandbox = sandbox_of(request)
    org = _org(sandbox, tenant_id)
    name = str(body.get("Name") or "").strip()
    if not name:
        raise HTTPException(400, "Name is required")
    if any(
        c["Name"].lower() == name.lower() and c["ContactStatus"] == "ACTIVE"
        for c in org.collections["Contacts"].values()
    ):
        raise HTTPException(400, "The contact name must be unique across all active contacts.")
    contact: Record = {
        "ContactID": str(uuid.uuid4()),
        "ContactStatus": "ACTIVE",
        "Name": name,
        "EmailAddress": body.get("EmailAddress", ""),
        "Phones": [],
        "Addresses": [],
        "IsSupplier": False,
        "IsCustomer": False,
        "DefaultCurrency": body.get("DefaultCurrency") or org.organisation["BaseCurrency"],
        "HasAttachments": False,
        "HasValidationErrors": False,
        "UpdatedDateUTC": sandbox.clock.now(),
    }
    if body.get("ContactNumber"):
        contact["ContactNumber"] = body["ContactNumber"]
    org.add("Contacts", contact)
    sandbox.webhooks.notify(org.tenant_id, "CONTACT", "CREATE", contact["ContactID"])
    return render("Contacts", contact)


@router.post("/contacts/{key}/archive")
async def archive_contact(request: Request, tenant_id: str, key: str) -> dict[str, Any]:
    """Archive a contact (hidden from ``GET /Contacts`` unless ``includeArchived=true``)."""
    sandbox = sandbox_of(request)
    org = _org(sandbox, tenant_id)
    contact = _find(org, "Contacts", key)
    contact["ContactStatus"] = "ARCHIVED"
    contact["UpdatedDateUTC"] = sandbox.clock.now()
    sandbox.webhooks.notify(org.tenant_id, "CONTACT", "UPDATE", contact["ContactID"])
    return render("Contacts", contact)
