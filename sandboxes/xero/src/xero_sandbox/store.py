"""In-memory organisation data and its rendering into Xero JSON.

Records are plain dicts holding Xero field names with Python values (``date`` for
calendar dates, aware ``datetime`` for instants); ``render`` turns them into the JSON
Xero emits (MS JSON dates and the ``*String`` extras).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from xero_sandbox.msdates import iso_local, iso_utc, ms_date

Record = dict[str, Any]

COLLECTIONS = {
    "Items": "ItemID",
    "Contacts": "ContactID",
    "Invoices": "InvoiceID",
    "CreditNotes": "CreditNoteID",
    "PurchaseOrders": "PurchaseOrderID",
}

_NUMBER_KEYS = {
    "Invoices": "InvoiceNumber",
    "CreditNotes": "CreditNoteNumber",
    "PurchaseOrders": "PurchaseOrderNumber",
    "Contacts": "ContactNumber",
    "Items": "Code",
}


@dataclass
class Org:
    """One organisation (tenant) and its records, keyed by id in insertion order."""

    tenant_id: str
    organisation: Record
    collections: dict[str, dict[str, Record]] = field(
        default_factory=lambda: {name: {} for name in COLLECTIONS}
    )
    next_po_number: int = 1
    version: int = 0
    indexes: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def name(self) -> str:
        """Organisation name (tenantName)."""
        return str(self.organisation["Name"])

    def add(self, collection: str, record: Record) -> Record:
        """Insert or replace a record by its id."""
        self.collections[collection][record[COLLECTIONS[collection]]] = record
        self.touch()
        return record

    def touch(self) -> None:
        """Drop list indexes and render caches after records changed in place."""
        self.version += 1
        self.indexes.clear()

    def find(self, collection: str, key: str) -> Record | None:
        """Find by id (case-insensitive GUID) or by number/code."""
        records = self.collections[collection]
        found = records.get(key) or records.get(key.lower())
        if found is not None:
            return found
        number_key = _NUMBER_KEYS[collection]
        for record in records.values():
            if record.get(number_key) == key:
                return record
        return None

    def item_by_code(self, code: str) -> Record | None:
        """The item whose ``Code`` equals ``code``."""
        for item in self.collections["Items"].values():
            if item["Code"] == code:
                return item
        return None


def _value(value: Any) -> Any:
    if isinstance(value, date):
        return ms_date(value)
    if isinstance(value, dict):
        return {k: _value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_value(v) for v in value]
    return value


_DATE_STRINGS = {
    "Date": "DateString",
    "DueDate": "DueDateString",
    "DeliveryDate": "DeliveryDateString",
}


def render(collection: str, record: Record, with_lines: bool = True) -> Record:
    """Xero JSON of one record; ``with_lines=False`` drops ``LineItems`` as list GETs do."""
    out: Record = {}
    for key, value in record.items():
        if key == "LineItems" and not with_lines:
            continue
        if key.startswith("_"):
            continue
        out[key] = _value(value)
        if key in _DATE_STRINGS and isinstance(value, date) and collection != "Contacts":
            out[_DATE_STRINGS[key]] = iso_local(value)
    if collection in ("Invoices", "CreditNotes") and isinstance(
        record.get("UpdatedDateUTC"), datetime
    ):
        out["UpdatedDateUTCString"] = iso_utc(record["UpdatedDateUTC"])
    return out
