"""Seeded documents derived from others: return credit notes and ACCPAY bills for POs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from xero_sandbox.seed_common import line_item, stable_id, totals
from xero_sandbox.store import Record

BASE_FIELDS = {
    "HasAttachments": False,
    "HasErrors": False,
    "IsDiscounted": False,
    "LineAmountTypes": "Exclusive",
}


def _at(day: date, hours: int, now: datetime) -> datetime:
    return min(datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=hours), now)


def credit_note_for(invoice: Record, number: int, day: date, now: datetime, seed: int) -> Record:
    """A PAID ACCRECCREDIT returning half (at least 1) of the invoice's first line."""
    source = invoice["LineItems"][0]
    qty = max(1.0, float(int(source["Quantity"] // 2)))
    item = {
        "ItemID": source["Item"]["ItemID"],
        "Code": source["ItemCode"],
        "Name": source["Item"]["Name"],
    }
    rate = source["TaxAmount"] / source["LineAmount"] if source["LineAmount"] else 0.0
    description = f"Return: {source['Description']}"
    line = line_item(item, description, qty, source["UnitAmount"], rate, "200", "OUTPUT2")
    money = totals([line])
    money.pop("TotalDiscount")
    return {
        "Type": "ACCRECCREDIT",
        "CreditNoteID": stable_id("cn", seed, invoice["InvoiceID"]),
        "CreditNoteNumber": f"CN-{number:05d}",
        "Reference": invoice["InvoiceNumber"],
        "Contact": invoice["Contact"],
        "Date": day,
        "Status": "PAID",
        "LineItems": [line],
        **money,
        "RemainingCredit": 0.0,
        "CurrencyCode": invoice["CurrencyCode"],
        "CurrencyRate": invoice["CurrencyRate"],
        "Allocations": [
            {
                "Amount": money["Total"],
                "Date": day,
                "Invoice": {
                    "InvoiceID": invoice["InvoiceID"],
                    "InvoiceNumber": invoice["InvoiceNumber"],
                },
            }
        ],
        "SentToContact": True,
        "UpdatedDateUTC": _at(day, 2, now),
        **BASE_FIELDS,
    }


def bill_for(po: Record, day: date, now: datetime, seed: int) -> Record:
    """The ACCPAY bill of a BILLED purchase order (PAID when older than 30 days)."""
    paid = (now.date() - day).days > 30
    money = {k: po[k] for k in ("SubTotal", "TotalTax", "Total", "TotalDiscount")}
    return {
        "Type": "ACCPAY",
        "InvoiceID": stable_id("bill", seed, po["PurchaseOrderID"]),
        "InvoiceNumber": f"BILL-{po['PurchaseOrderNumber']}",
        "Contact": po["Contact"],
        "Date": day,
        "DueDate": day + timedelta(days=30),
        "Status": "PAID" if paid else "AUTHORISED",
        "LineItems": [dict(line) for line in po["LineItems"]],
        **money,
        "AmountDue": 0.0 if paid else money["Total"],
        "AmountPaid": money["Total"] if paid else 0.0,
        "AmountCredited": 0.0,
        "CurrencyCode": po["CurrencyCode"],
        "CurrencyRate": po["CurrencyRate"],
        "SentToContact": False,
        "UpdatedDateUTC": _at(day, 1, now),
        **BASE_FIELDS,
    }
