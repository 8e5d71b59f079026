"""Xero documents -> contract records (architecture §4, Xero).

Every function is pure: it takes decoded Xero JSON and the organisation's facts
(:class:`OrgFacts`) and returns :class:`Normalised` rows (provider id, parent id,
record). Records keep the raw status next to the normalised one; nothing is filtered
by status here (consumers apply the demand and on-order policies).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from connector_xero.domain.msdates import local_midnight, parse_date, parse_instant
from connector_xero.domain.values import SALES_STATUS, dec, fx_to_base
from restock_contracts._base import ProviderRecord
from restock_contracts.catalog.v1 import LocationRecord, SkuRecord, SupplierRecord
from restock_contracts.inventory.v1 import StockLevelRecord
from restock_contracts.purchasing.v1 import PurchaseOrderLineRecord
from restock_contracts.sales.v1 import SalesLineRecord

ZERO = Decimal(0)


@dataclass(frozen=True)
class OrgFacts:
    """What normalisation needs to know about the organisation and the sync."""

    location_id: str
    base_currency: str
    time_zone: str | None
    today: date
    as_of: datetime


@dataclass(frozen=True)
class Normalised:
    """One record with its snapshot key and parent document (None for master data)."""

    provider_id: str
    parent_id: str | None
    record: ProviderRecord


def location(facts: OrgFacts, name: str) -> Normalised:
    """Xero has one location: a synthetic one per organisation."""
    record = LocationRecord(
        updated_at=None, location_id=facts.location_id, name=name, is_primary=True
    )
    return Normalised(facts.location_id, None, record)


def item(raw: dict[str, Any], facts: OrgFacts) -> list[Normalised]:
    """A tracked item -> SKU + stock level (untracked items are not SKUs: nothing)."""
    if not raw.get("IsTrackedAsInventory"):
        return []
    item_id = str(raw["ItemID"])
    updated = parse_instant(raw.get("UpdatedDateUTC"))
    on_hand = dec(raw.get("QuantityOnHand"), ZERO) or ZERO
    pool = dec(raw.get("TotalCostPool"))
    purchase = raw.get("PurchaseDetails") or {}
    sales = raw.get("SalesDetails") or {}
    sku = SkuRecord(
        updated_at=updated,
        product_id=None,
        variant_id=item_id,
        sku=raw.get("Code"),
        name=raw.get("Name") or raw.get("Code") or item_id,
        uom=None,
        is_purchased=bool(raw.get("IsPurchased", True)),
        is_manufactured=False,
        is_sold=bool(raw.get("IsSold", True)),
        cost=dec(purchase.get("UnitPrice")),
        price=dec(sales.get("UnitPrice")),
    )
    average = (pool / on_hand).quantize(Decimal("0.0001")) if pool is not None and on_hand else None
    level = StockLevelRecord(
        updated_at=updated,
        variant_id=item_id,
        location_id=facts.location_id,
        on_hand=on_hand,
        committed=ZERO,
        average_cost=average,
        as_of=facts.as_of,
    )
    return [Normalised(item_id, None, sku), Normalised(item_id, None, level)]


def _line_amount(line: dict[str, Any], amount_types: str | None) -> Decimal | None:
    amount = dec(line.get("LineAmount"))
    if amount is not None and (amount_types or "").lower() == "inclusive":
        amount -= dec(line.get("TaxAmount"), ZERO) or ZERO
    return amount


def _item_id(line: dict[str, Any], items_by_code: dict[str, str]) -> str | None:
    item_ref = line.get("Item") or {}
    if item_ref.get("ItemID"):
        return str(item_ref["ItemID"])
    code = line.get("ItemCode")
    return items_by_code.get(code) if code else None


def invoice_lines(
    raw: dict[str, Any], facts: OrgFacts, items_by_code: dict[str, str]
) -> list[Normalised]:
    """An ACCREC invoice -> one sales line per item line, whatever its status."""
    if raw.get("Type") != "ACCREC":
        return []
    invoice_id = str(raw["InvoiceID"])
    day = parse_date(raw.get("Date")) or facts.today
    fx = fx_to_base(raw.get("CurrencyRate"))
    status = str(raw.get("Status") or "DRAFT")
    out = []
    for line in raw.get("LineItems") or []:
        variant = _item_id(line, items_by_code)
        if variant is None or not line.get("LineItemID"):
            continue
        amount = _line_amount(line, raw.get("LineAmountTypes"))
        record = SalesLineRecord(
            updated_at=parse_instant(raw.get("UpdatedDateUTC")),
            order_id=invoice_id,
            line_id=str(line["LineItemID"]),
            order_number=raw.get("InvoiceNumber"),
            customer_id=(raw.get("Contact") or {}).get("ContactID"),
            variant_id=variant,
            sku=line.get("ItemCode"),
            location_id=facts.location_id,
            order_date=local_midnight(day, facts.time_zone),
            delivery_date=parse_date(raw.get("DueDate")),
            quantity=abs(dec(line.get("Quantity"), ZERO) or ZERO),
            unit_price=dec(line.get("UnitAmount")),
            currency=raw.get("CurrencyCode") or facts.base_currency,
            fx_rate_to_base=fx,
            base_amount=(amount * fx).quantize(Decimal("0.01")) if amount is not None else None,
            raw_status=status,
            status=SALES_STATUS.get(status, "draft"),
        )
        out.append(Normalised(str(line["LineItemID"]), invoice_id, record))
    return out


def credit_note_lines(
    raw: dict[str, Any],
    facts: OrgFacts,
    items_by_code: dict[str, str],
    original_sale: datetime | None,
) -> list[Normalised]:
    """An ACCRECCREDIT credit note -> return lines dated back to the original sale."""
    if raw.get("Type") != "ACCRECCREDIT":
        return []
    note_id = str(raw["CreditNoteID"])
    day = parse_date(raw.get("Date")) or facts.today
    fx = fx_to_base(raw.get("CurrencyRate"))
    status = str(raw.get("Status") or "DRAFT")
    out = []
    for line in raw.get("LineItems") or []:
        variant = _item_id(line, items_by_code)
        if variant is None or not line.get("LineItemID"):
            continue
        amount = _line_amount(line, raw.get("LineAmountTypes"))
        record = SalesLineRecord(
            updated_at=parse_instant(raw.get("UpdatedDateUTC")),
            order_id=note_id,
            line_id=str(line["LineItemID"]),
            order_number=raw.get("CreditNoteNumber"),
            customer_id=(raw.get("Contact") or {}).get("ContactID"),
            variant_id=variant,
            sku=line.get("ItemCode"),
            location_id=facts.location_id,
            order_date=local_midnight(day, facts.time_zone),
            quantity=abs(dec(line.get("Quantity"), ZERO) or ZERO),
            unit_price=dec(line.get("UnitAmount")),
            currency=raw.get("CurrencyCode") or facts.base_currency,
            fx_rate_to_base=fx,
            base_amount=(amount * fx).quantize(Decimal("0.01")) if amount is not None else None,
            raw_status=status,
            status="cancelled" if status in {"VOIDED", "DELETED"} else "returned",
            is_return=True,
            original_sale_date=original_sale,
        )
        out.append(Normalised(str(line["LineItemID"]), note_id, record))
    return out


def allocated_invoice_id(raw: dict[str, Any]) -> str | None:
    """The invoice a credit note is allocated to (its original sale), if any."""
    for allocation in raw.get("Allocations") or []:
        invoice = allocation.get("Invoice") or {}
        if invoice.get("InvoiceID"):
            return str(invoice["InvoiceID"])
    return None


def _po_status(status: str, delivered: bool) -> str:
    if status == "DRAFT":
        return "draft"
    if status in {"SUBMITTED", "AUTHORISED"}:
        return "received" if delivered else "open"
    return {"BILLED": "billed", "DELETED": "deleted"}.get(status, "open")


def purchase_order_lines(
    raw: dict[str, Any],
    facts: OrgFacts,
    items_by_code: dict[str, str],
    restock_submissions: dict[str, Any],
) -> list[Normalised]:
    """A PO -> one line record per item line with status and dates.

    A SUBMITTED/AUTHORISED PO with a DeliveryDate on or before today counts as received;
    one past its ExpectedArrivalDate without delivery stays open (consumers flag it late
    from ``expected_arrival``).
    """
    po_id = str(raw["PurchaseOrderID"])
    status = str(raw.get("Status") or "DRAFT")
    delivery = parse_date(raw.get("DeliveryDate"))
    delivered = delivery is not None and delivery <= facts.today
    normalised = _po_status(status, delivered)
    expected = parse_date(raw.get("ExpectedArrivalDate"))
    order_day = parse_date(raw.get("Date")) or facts.today
    fx = fx_to_base(raw.get("CurrencyRate"))
    submission = restock_submissions.get(po_id)
    out = []
    for line in raw.get("LineItems") or []:
        variant = _item_id(line, items_by_code)
        if variant is None or not line.get("LineItemID"):
            continue
        ordered = abs(dec(line.get("Quantity"), ZERO) or ZERO)
        received = ordered if normalised in {"received", "billed"} else ZERO
        remaining = ZERO if normalised in {"received", "billed", "deleted"} else ordered
        record = PurchaseOrderLineRecord(
            updated_at=parse_instant(raw.get("UpdatedDateUTC")),
            po_id=po_id,
            po_number=raw.get("PurchaseOrderNumber"),
            line_id=str(line["LineItemID"]),
            supplier_id=(raw.get("Contact") or {}).get("ContactID"),
            location_id=facts.location_id,
            variant_id=variant,
            sku=line.get("ItemCode"),
            quantity_ordered=ordered,
            quantity_received=received,
            quantity_remaining=remaining,
            unit_price=dec(line.get("UnitAmount")),
            currency=raw.get("CurrencyCode") or facts.base_currency,
            fx_rate_to_base=fx,
            order_date=local_midnight(order_day, facts.time_zone),
            expected_arrival=local_midnight(expected, facts.time_zone) if expected else None,
            received_date=local_midnight(delivery, facts.time_zone)
            if delivered and delivery
            else None,
            raw_status=status,
            status=normalised,
            created_by_restock=submission is not None,
            restock_submission_id=submission,
        )
        out.append(Normalised(str(line["LineItemID"]), po_id, record))
    return out


def supplier(row: dict[str, Any]) -> Normalised:
    """A contact that is a supplier (flagged, or referenced by a PO or bill)."""
    record = SupplierRecord(
        updated_at=row.get("provider_updated_at"),
        supplier_id=row["contact_id"],
        name=row.get("name") or row["contact_id"],
        currency=row.get("currency"),
        email=row.get("email"),
        archived=bool(row.get("archived")),
    )
    return Normalised(row["contact_id"], None, record)


def contact_fields(raw: dict[str, Any]) -> dict[str, Any]:
    """The contact columns the connector keeps (to decide who is a supplier)."""
    currency = raw.get("DefaultCurrency")
    return {
        "contact_id": str(raw["ContactID"]),
        "name": raw.get("Name"),
        "currency": currency if isinstance(currency, str) and len(currency) == 3 else None,
        "email": raw.get("EmailAddress") or None,
        "is_supplier": bool(raw.get("IsSupplier")),
        "archived": raw.get("ContactStatus") == "ARCHIVED",
        "provider_updated_at": parse_instant(raw.get("UpdatedDateUTC")),
    }
