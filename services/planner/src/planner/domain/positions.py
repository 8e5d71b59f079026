"""Net position inputs (architecture §4): what is on order per SKU × location.

A synced PO line counts with its remaining quantity while open (``open`` or
``partially_received``). A PO that Restock sent counts whatever its provider status
until it is received, cancelled, billed or deleted. A PO Restock just sent counts at once
(provisional, from the submission's lines) until a sync brings a PO with the same
provider id; from then on only the synced lines count, so nothing is counted twice.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

OPEN_STATUSES = frozenset({"open", "partially_received"})
CLOSED_STATUSES = frozenset({"received", "cancelled", "billed", "deleted"})

Key = tuple[str, str]


@dataclass(frozen=True)
class PoLine:
    """A synced purchase order line (quantities in the stock unit)."""

    po_id: str
    variant_id: str
    location_id: str
    quantity_remaining: Decimal
    status: str
    created_by_restock: bool = False
    deleted: bool = False


@dataclass(frozen=True)
class SubmittedLine:
    """A line of a PO Restock submitted; ``provider_po_id`` None until the result arrives."""

    provider_po_id: str | None
    variant_id: str
    location_id: str
    quantity_stock: Decimal


@dataclass(frozen=True)
class OnOrder:
    """On order per (variant, location): synced and provisional quantities."""

    synced: dict[Key, Decimal]
    provisional: dict[Key, Decimal]

    def total(self, key: Key) -> Decimal:
        return self.synced.get(key, Decimal(0)) + self.provisional.get(key, Decimal(0))


def on_order(lines: Iterable[PoLine], submitted: Iterable[SubmittedLine]) -> OnOrder:
    """Sum open synced lines and not-yet-synced submitted lines per (variant, location)."""
    sub_list = list(submitted)
    sent_ids = {s.provider_po_id for s in sub_list if s.provider_po_id}
    synced: dict[Key, Decimal] = defaultdict(Decimal)
    seen_pos: set[str] = set()
    for line in lines:
        seen_pos.add(line.po_id)
        if line.deleted:
            continue
        by_restock = line.created_by_restock or line.po_id in sent_ids
        counts = line.status in OPEN_STATUSES or (by_restock and line.status not in CLOSED_STATUSES)
        if counts and line.quantity_remaining > 0:
            synced[(line.variant_id, line.location_id)] += line.quantity_remaining
    provisional: dict[Key, Decimal] = defaultdict(Decimal)
    for s in sub_list:
        if s.provider_po_id is None or s.provider_po_id in seen_pos:
            continue
        provisional[(s.variant_id, s.location_id)] += s.quantity_stock
    return OnOrder(dict(synced), dict(provisional))
