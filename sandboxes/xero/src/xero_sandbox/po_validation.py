"""Validation and building of purchase orders from PUT/POST elements."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from xero_sandbox.msdates import ms_date, parse_request_date
from xero_sandbox.store import Org, Record

ZERO_GUID = "00000000-0000-0000-0000-000000000000"
CREATE_STATUSES = ("DRAFT", "SUBMITTED", "AUTHORISED")
ALL_STATUSES = (*CREATE_STATUSES, "BILLED", "DELETED")
LINE_AMOUNT_TYPES = ("Exclusive", "Inclusive", "NoTax")
TAX_RATE = 0.15
_DATE_FIELDS = ("Date", "DeliveryDate", "ExpectedArrivalDate")
_TEXT_FIELDS = ("Reference", "DeliveryAddress", "AttentionTo", "Telephone", "DeliveryInstructions")


class ElementErrors(Exception):
    """Validation failures of one element."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


def echo(element: Any, messages: list[str], po_id: str | None = None) -> Record:
    """The element echoed back with its ``ValidationErrors`` (dates as MS dates)."""
    out: Record = dict(element) if isinstance(element, dict) else {}
    for name in _DATE_FIELDS:
        if name in out:
            try:
                parsed = parse_request_date(out[name])
            except ValueError:
                parsed = None
            if parsed is None:
                del out[name]
            else:
                out[name] = ms_date(parsed)
    out["PurchaseOrderID"] = po_id or out.get("PurchaseOrderID") or ZERO_GUID
    out["HasErrors"] = True
    out["StatusAttributeString"] = "ERROR"
    out["ValidationErrors"] = [{"Message": m} for m in messages]
    return out


def _number(value: Any, name: str, errors: list[str]) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        errors.append(f"{name} must be a number")
        return 0.0
    try:
        return float(value)
    except ValueError:
        errors.append(f"{name} must be a number")
        return 0.0


def _contact(org: Org, raw: Any, errors: list[str]) -> Record | None:
    if not isinstance(raw, dict) or not any(
        raw.get(k) for k in ("ContactID", "ContactNumber", "Name")
    ):
        errors.append("A Contact must be specified for this type of transaction")
        return None
    contacts = org.collections["Contacts"].values()
    for key in ("ContactID", "ContactNumber", "Name"):
        wanted = raw.get(key)
        if wanted:
            for contact in contacts:
                if str(contact.get(key) or "").lower() == str(wanted).lower():
                    return contact
            errors.append(f"The contact with {key} '{wanted}' could not be found")
            return None
    return None


def _lines(org: Org, raw: Any, amount_type: str, errors: list[str]) -> list[Record]:
    if not isinstance(raw, list) or not raw:
        errors.append("A purchase order must have at least one line item")
        return []
    lines: list[Record] = []
    for item_raw in raw:
        line_in = item_raw if isinstance(item_raw, dict) else {}
        line: Record = {"LineItemID": line_in.get("LineItemID") or str(uuid.uuid4())}
        code = line_in.get("ItemCode")
        item = None
        if code:
            item = org.item_by_code(str(code))
            if item is None:
                errors.append(f"Item code '{code}' is not valid")
                continue
        description = line_in.get("Description") or (
            item and (item.get("PurchaseDescription") or item["Name"])
        )
        if not description:
            errors.append("Description is required for each line item")
        quantity = _number(line_in.get("Quantity", 1), "Quantity", errors)
        unit = _number(line_in.get("UnitAmount", 0), "UnitAmount", errors)
        amount = round(quantity * unit, 2)
        if amount_type == "Exclusive":
            tax = round(amount * TAX_RATE, 2)
        elif amount_type == "Inclusive":
            tax = round(amount * TAX_RATE / (1 + TAX_RATE), 2)
        else:
            tax = 0.0
        line.update(
            Description=description or "",
            UnitAmount=unit,
            TaxType=line_in.get("TaxType") or ("NONE" if amount_type == "NoTax" else "INPUT2"),
            TaxAmount=tax,
            LineAmount=amount,
            AccountCode=line_in.get("AccountCode") or ("630" if item else "300"),
            Quantity=quantity,
        )
        if item is not None:
            line["ItemCode"] = item["Code"]
            line["Item"] = {"ItemID": item["ItemID"], "Code": item["Code"], "Name": item["Name"]}
        lines.append(line)
    return lines


def _next_number(org: Org) -> str:
    used = {po.get("PurchaseOrderNumber") for po in org.collections["PurchaseOrders"].values()}
    while True:
        number = f"PO-{org.next_po_number:04d}"
        org.next_po_number += 1
        if number not in used:
            return number


def build(org: Org, element: Any, now: datetime, existing: Record | None) -> Record:
    """Validate one element and return the PO record to store; raises ElementErrors."""
    if not isinstance(element, dict):
        raise ElementErrors(["A purchase order must be a JSON object"])
    errors: list[str] = []
    base: Record = dict(existing) if existing else {}
    status = str(element.get("Status") or base.get("Status") or "DRAFT").upper()
    allowed = ALL_STATUSES if existing else CREATE_STATUSES
    if status not in allowed:
        errors.append(f"Status '{status}' is not a valid purchase order status here")
    amount_type = element.get("LineAmountTypes") or base.get("LineAmountTypes") or "Exclusive"
    if amount_type not in LINE_AMOUNT_TYPES:
        errors.append(f"LineAmountTypes '{amount_type}' is not valid")
        amount_type = "Exclusive"
    contact = (
        _contact(org, element["Contact"], errors) if "Contact" in element or not existing else None
    )
    lines = (
        _lines(org, element["LineItems"], amount_type, errors)
        if "LineItems" in element or not existing
        else base["LineItems"]
    )
    dates: dict[str, date | None] = {}
    for name in _DATE_FIELDS:
        if name in element:
            try:
                dates[name] = parse_request_date(element[name])
            except ValueError:
                errors.append(f"{name} is not a valid date")
    number = element.get("PurchaseOrderNumber") or base.get("PurchaseOrderNumber")
    if number:
        for po in org.collections["PurchaseOrders"].values():
            if po.get("PurchaseOrderNumber") == number and po is not existing:
                errors.append("Order number must be unique")
                break
    if errors:
        raise ElementErrors(errors)
    tz = ZoneInfo(str(org.organisation.get("_TimeZone", "UTC")))
    record = base
    record.update(
        PurchaseOrderID=base.get("PurchaseOrderID") or str(uuid.uuid4()),
        PurchaseOrderNumber=number or _next_number(org),
        Date=dates.get("Date") or base.get("Date") or now.astimezone(tz).date(),
        Status=status,
        LineAmountTypes=amount_type,
        CurrencyCode=element.get("CurrencyCode")
        or base.get("CurrencyCode")
        or org.organisation["BaseCurrency"],
        CurrencyRate=float(element.get("CurrencyRate") or base.get("CurrencyRate") or 1.0),
        LineItems=lines,
        Type="PURCHASEORDER",
        HasAttachments=False,
        IsDiscounted=False,
        HasErrors=False,
        SentToContact=bool(element.get("SentToContact", base.get("SentToContact", False))),
        UpdatedDateUTC=now,
    )
    for name in ("DeliveryDate", "ExpectedArrivalDate"):
        if name in dates:
            record[name] = dates[name]
            if dates[name] is None:
                del record[name]
    for name in _TEXT_FIELDS:
        if name in element:
            record[name] = element[name]
    if contact is not None:
        record["Contact"] = {
            k: contact[k]
            for k in ("ContactID", "ContactNumber", "Name", "ContactStatus")
            if k in contact
        }
    sub = round(sum(line["LineAmount"] for line in lines), 2)
    tax = round(sum(line["TaxAmount"] for line in lines), 2)
    record.update(
        SubTotal=sub if amount_type != "Inclusive" else round(sub - tax, 2),
        TotalTax=tax,
        TotalDiscount=0.0,
    )
    record["Total"] = round(record["SubTotal"] + tax, 2)
    return record
