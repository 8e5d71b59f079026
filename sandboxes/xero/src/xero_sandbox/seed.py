"""Map a demo dataset (``restock_demodata``) onto one Xero organisation.

Xero has one location, no BOMs and no movement history, so: stock is summed over
locations; every variant becomes a tracked Item (Code = SKU); customers and suppliers
become Contacts; sales orders become ACCREC invoices (quotes -> DRAFT/DELETED, open ->
AUTHORISED/SUBMITTED, delivered -> PAID/AUTHORISED with a few VOIDED); some sales get a
return as an ACCRECCREDIT credit note; purchase orders keep Xero PO statuses and every
received PO also gets an ACCPAY bill.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from restock_demodata import Dataset, DatasetSpec, generate
from xero_sandbox.config import OrgSpec
from xero_sandbox.seed_common import contact_ref, line_item, organisation_record, stable_id, totals
from xero_sandbox.seed_docs import BASE_FIELDS, bill_for, credit_note_for
from xero_sandbox.store import Org, Record


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class _Seeder:
    def __init__(self, data: Dataset, spec: OrgSpec) -> None:
        self.data = data
        self.seed = spec.seed
        self.rng = random.Random(spec.seed)
        self.tz = ZoneInfo(data.time_zone)
        self.now = _utc(data.now)
        self.tenant_id = stable_id("tenant", spec.name, spec.seed)
        created = datetime.combine(data.start_date, datetime.min.time(), tzinfo=UTC) - timedelta(
            days=30
        )
        self.org = Org(
            self.tenant_id,
            organisation_record(
                self.tenant_id, spec.name, data.base_currency, data.time_zone, created, spec.seed
            ),
        )
        self.tax = {t.id: t.rate / 100.0 for t in data.tax_rates}
        self.items: dict[int, Record] = {}
        self.customers: dict[int, Record] = {}
        self.suppliers: dict[int, Record] = {}

    def local(self, instant: datetime) -> date:
        return _utc(instant).astimezone(self.tz).date()

    def clamp(self, instant: datetime) -> datetime:
        return min(_utc(instant), self.now)

    def seed_items(self) -> None:
        on_hand: dict[int, float] = defaultdict(float)
        cost: dict[int, float] = {}
        levels = self.data.stock_levels
        for vid, qty, avg in zip(
            levels.variant_id.tolist(),
            levels.on_hand.tolist(),
            levels.average_cost.tolist(),
            strict=True,
        ):
            on_hand[vid] += qty
            cost[vid] = avg
        for v in self.data.variants:
            qty = round(on_hand[v.id], 4)
            item: Record = {
                "ItemID": stable_id("item", self.seed, v.id),
                "Code": v.sku[:30],
                "Name": v.name[:50],
                "Description": v.name,
                "PurchaseDescription": v.name,
                "IsSold": v.sales_price is not None,
                "IsPurchased": v.purchase_price is not None,
                "IsTrackedAsInventory": True,
                "InventoryAssetAccountCode": "630",
                "QuantityOnHand": qty,
                "TotalCostPool": round(qty * cost.get(v.id, v.unit_cost), 2),
                "PurchaseDetails": {
                    "UnitPrice": round(v.unit_cost, 4),
                    "COGSAccountCode": "310",
                    "TaxType": "INPUT2",
                },
                "SalesDetails": (
                    {
                        "UnitPrice": round(v.sales_price, 4),
                        "AccountCode": "200",
                        "TaxType": "OUTPUT2",
                    }
                    if v.sales_price is not None
                    else {}
                ),
                "UpdatedDateUTC": self.clamp(v.created_at),
            }
            self.items[v.id] = self.org.add("Items", item)

    def seed_contacts(self) -> None:
        names: set[str] = set()

        def unique(name: str) -> str:
            candidate, n = name, 2
            while candidate.lower() in names:
                candidate, n = f"{name} ({n})", n + 1
            names.add(candidate.lower())
            return candidate

        for c in self.data.customers:
            self.customers[c.id] = self.org.add(
                "Contacts",
                {
                    "ContactID": stable_id("customer", self.seed, c.id),
                    "ContactNumber": f"CUS-{c.id:05d}",
                    "ContactStatus": "ACTIVE",
                    "Name": unique(c.company or c.name),
                    "FirstName": c.first_name,
                    "LastName": c.last_name,
                    "EmailAddress": c.email,
                    "Phones": [{"PhoneType": "DEFAULT", "PhoneNumber": c.phone}],
                    "Addresses": [],
                    "IsSupplier": False,
                    "IsCustomer": False,
                    "DefaultCurrency": c.currency,
                    "HasAttachments": False,
                    "HasValidationErrors": False,
                    "UpdatedDateUTC": self.clamp(c.created_at),
                },
            )
        for s in self.data.suppliers:
            self.suppliers[s.id] = self.org.add(
                "Contacts",
                {
                    "ContactID": stable_id("supplier", self.seed, s.id),
                    "ContactNumber": f"SUP-{s.id:05d}",
                    "ContactStatus": "ACTIVE",
                    "Name": unique(s.name),
                    "EmailAddress": s.email,
                    "Phones": [{"PhoneType": "DEFAULT", "PhoneNumber": s.phone}],
                    "Addresses": [],
                    "IsSupplier": False,
                    "IsCustomer": False,
                    "DefaultCurrency": s.currency,
                    "PurchasesDefaultAccountCode": "630",
                    "HasAttachments": False,
                    "HasValidationErrors": False,
                    "UpdatedDateUTC": self.clamp(s.created_at),
                },
            )

    def _sales_status(self, code: int, when: date) -> str:
        roll = self.rng.random()
        if code == 0:
            return "DRAFT" if roll < 0.7 else "DELETED"
        if code == 1:
            return "AUTHORISED" if roll < 0.75 else "SUBMITTED"
        if roll < 0.02:
            return "VOIDED"
        old = (self.now.date() - when).days > 45
        return (
            ("PAID" if roll < 0.97 else "AUTHORISED")
            if old
            else ("PAID" if roll < 0.4 else "AUTHORISED")
        )

    def seed_sales(self) -> None:
        so, sl = self.data.sales_orders, self.data.sales_lines
        lines = list(
            zip(
                sl.variant_id.tolist(),
                sl.quantity.tolist(),
                sl.unit_price.tolist(),
                sl.tax_rate_id.tolist(),
                sl.id.tolist(),
                strict=True,
            )
        )
        cols = zip(
            so.id.tolist(),
            so.customer_id.tolist(),
            so.status.tolist(),
            so.ordered_at.tolist(),
            so.delivered_at.tolist(),
            so.fx_rate.tolist(),
            so.line_start.tolist(),
            so.line_count.tolist(),
            strict=True,
        )
        for oid, cid, code, ordered, delivered, fx, start, count in cols:
            when = self.local(ordered)
            status = self._sales_status(code, when)
            contact = self.customers[cid]
            rows = [
                line_item(
                    self.items[v],
                    self.items[v]["Name"],
                    q,
                    p,
                    self.tax.get(t, 0.0),
                    "200",
                    "OUTPUT2",
                    stable_id("sl", self.seed, lid),
                )
                for v, q, p, t, lid in lines[start : start + count]
            ]
            money = totals(rows)
            paid = status == "PAID"
            settled = self.clamp((delivered or ordered) + timedelta(days=self.rng.randint(1, 30)))
            invoice: Record = {
                "Type": "ACCREC",
                "InvoiceID": stable_id("inv", self.seed, oid),
                "InvoiceNumber": f"INV-{oid:05d}",
                "Reference": f"SO-{oid}",
                "Contact": contact_ref(contact),
                "Date": when,
                "DueDate": when + timedelta(days=20),
                "Status": status,
                "LineItems": rows,
                **money,
                "AmountDue": 0.0 if paid or status in ("VOIDED", "DELETED") else money["Total"],
                "AmountPaid": money["Total"] if paid else 0.0,
                "AmountCredited": 0.0,
                "CurrencyCode": contact["DefaultCurrency"],
                "CurrencyRate": round(1.0 / fx, 6) if fx else 1.0,
                "SentToContact": status in ("AUTHORISED", "PAID"),
                "UpdatedDateUTC": settled if paid or status == "VOIDED" else self.clamp(ordered),
                **BASE_FIELDS,
            }
            if paid:
                invoice["FullyPaidOnDate"] = self.local(settled)
            if status not in ("DRAFT", "DELETED"):
                contact["IsCustomer"] = True
            self.org.add("Invoices", invoice)
            if status in ("PAID", "AUTHORISED") and self.rng.random() < 0.03:
                number = len(self.org.collections["CreditNotes"]) + 1
                day = min(
                    invoice["Date"] + timedelta(days=self.rng.randint(3, 20)), self.now.date()
                )
                note = credit_note_for(invoice, number, day, self.now, self.seed)
                invoice["AmountCredited"] = note["Total"]
                self.org.add("CreditNotes", note)

    def _po_status(self, code: int) -> str:
        roll = self.rng.random()
        if code == 0:
            return "DRAFT" if roll < 0.9 else "DELETED"
        if code == 1:
            return "AUTHORISED" if roll < 0.7 else ("SUBMITTED" if roll < 0.95 else "DELETED")
        return "AUTHORISED" if code == 2 else "BILLED"

    def seed_purchases(self) -> None:
        po, pl = self.data.purchase_orders, self.data.purchase_lines
        plines = list(
            zip(
                pl.variant_id.tolist(),
                pl.quantity.tolist(),
                pl.unit_price.tolist(),
                pl.conversion_rate.tolist(),
                pl.received_at.tolist(),
                pl.tax_rate_id.tolist(),
                pl.id.tolist(),
                strict=True,
            )
        )
        cols = zip(
            po.id.tolist(),
            po.supplier_id.tolist(),
            po.status.tolist(),
            po.ordered_at.tolist(),
            po.expected_arrival.tolist(),
            po.fx_rate.tolist(),
            po.line_start.tolist(),
            po.line_count.tolist(),
            strict=True,
        )
        max_id = 0
        for oid, sid, code, ordered, expected, fx, start, count in cols:
            max_id = max(max_id, oid)
            status = self._po_status(code)
            supplier = self.suppliers[sid]
            chunk = plines[start : start + count]
            rows = [
                line_item(
                    self.items[v],
                    self.items[v]["Name"],
                    round(q * conv, 4),
                    round(p / conv, 4),
                    self.tax.get(t, 0.0),
                    "630",
                    "INPUT2",
                    stable_id("pl", self.seed, lid),
                )
                for v, q, p, conv, _, t, lid in chunk
            ]
            received = [x[4] for x in chunk if x[4] is not None]
            arrival = self.local(expected) if expected else None
            record: Record = {
                "PurchaseOrderID": stable_id("po", self.seed, oid),
                "PurchaseOrderNumber": f"PO-{oid:04d}",
                "Date": self.local(ordered),
                "Status": status,
                "Contact": contact_ref(supplier),
                "LineItems": rows,
                **totals(rows),
                "CurrencyCode": supplier["DefaultCurrency"],
                "CurrencyRate": round(1.0 / fx, 6) if fx else 1.0,
                "Reference": "",
                "SentToContact": status in ("AUTHORISED", "BILLED"),
                "Type": "PURCHASEORDER",
                "UpdatedDateUTC": self.clamp(
                    max(received) if received and status == "BILLED" else ordered
                ),
                **BASE_FIELDS,
            }
            if arrival is not None:
                record["ExpectedArrivalDate"] = arrival
                if status == "BILLED" and received:
                    record["DeliveryDate"] = self.local(max(received))
                elif self.rng.random() < 0.8:
                    record["DeliveryDate"] = arrival
            self.org.add("PurchaseOrders", record)
            if status == "BILLED":
                day = self.local(max(received)) if received else record["Date"]
                self.org.add("Invoices", bill_for(record, day, self.now, self.seed))
                supplier["IsSupplier"] = True
        self.org.next_po_number = max_id + 1


def seed_org(spec: OrgSpec) -> tuple[Org, datetime]:
    """Generate the demo business for ``spec`` and map it; returns the org and its 'now'."""
    data = generate(
        DatasetSpec(
            seed=spec.seed,
            skus=spec.items,
            locations=1,
            years=spec.years,
            base_currency=spec.base_currency,
            time_zone=spec.time_zone,
            company_name=spec.name,
        )
    )
    seeder = _Seeder(data, spec)
    seeder.seed_items()
    seeder.seed_contacts()
    seeder.seed_sales()
    seeder.seed_purchases()
    return seeder.org, seeder.now


def describe(org: Org) -> dict[str, Any]:
    """Counts per collection (for the CLI banner and admin)."""
    return {name: len(records) for name, records in org.collections.items()}
