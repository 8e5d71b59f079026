"""Turn planner purchase rows into draft purchase orders (pure).

One draft per supplier × receiving location. Quantities are in the purchase unit (the
planner's ``order_qty_purchase_uom``); unit prices are converted from the base currency
per stock unit into the supplier's currency per purchase unit with the FX rate that is
stored on the draft: ``price = unit_cost × purchase_uom_factor / fx_rate_to_base``.
Rows without a supplier are reported, not dropped.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

PRICE_QUANTUM = Decimal("0.0001")
QTY_QUANTUM = Decimal("0.000001")


@dataclass(frozen=True)
class PlanRow:
    """One planner purchase row (``GET /v1/plan/purchase-rows`` item)."""

    variant_id: str
    location_id: str
    supplier_id: str | None
    sku: str | None
    name: str | None
    supplier_currency: str | None
    uom: str | None
    purchase_uom: str | None
    purchase_uom_factor: Decimal
    order_qty: Decimal
    order_qty_purchase_uom: Decimal
    unit_cost: Decimal | None
    lead_time_days: Decimal
    po_status_on_create: str


@dataclass(frozen=True)
class Selection:
    """Which plan rows to draft: all, a filter (supplier/location), or chosen lines."""

    supplier_id: str | None = None
    location_id: str | None = None
    lines: tuple[tuple[str, str], ...] = ()
    """(variant_id, location_id) pairs; empty means every row matching the filter."""


@dataclass(frozen=True)
class DraftLine:
    """A line of a draft about to be stored."""

    variant_id: str
    sku: str | None
    name: str | None
    uom: str | None
    purchase_uom: str | None
    purchase_uom_factor: Decimal
    quantity: Decimal
    unit_price: Decimal
    unit_cost_base: Decimal | None
    lead_time_days: Decimal


@dataclass(frozen=True)
class DraftPlan:
    """A draft about to be stored: one supplier × location."""

    supplier_id: str
    location_id: str
    currency: str
    fx_rate_to_base: Decimal
    fx_source: str
    expected_arrival: date
    provider_status: str
    lines: tuple[DraftLine, ...]


@dataclass
class DraftingResult:
    """Drafts plus what could not be drafted and why."""

    drafts: list[DraftPlan] = field(default_factory=list)
    without_supplier: list[dict[str, str | None]] = field(default_factory=list)
    not_in_plan: list[dict[str, str]] = field(default_factory=list)
    missing_fx: list[str] = field(default_factory=list)


def select_rows(
    rows: Iterable[PlanRow], selection: Selection
) -> tuple[list[PlanRow], list[dict[str, str]]]:
    """Rows that need ordering and match ``selection``; also the chosen lines not in the plan."""
    wanted = set(selection.lines)
    chosen: list[PlanRow] = []
    seen: set[tuple[str, str]] = set()
    for row in rows:
        if selection.supplier_id is not None and row.supplier_id != selection.supplier_id:
            continue
        if selection.location_id is not None and row.location_id != selection.location_id:
            continue
        key = (row.variant_id, row.location_id)
        if wanted and key not in wanted:
            continue
        if row.order_qty_purchase_uom <= 0:
            continue
        seen.add(key)
        chosen.append(row)
    missing = [
        {"variant_id": v, "location_id": loc} for v, loc in selection.lines if (v, loc) not in seen
    ]
    return chosen, missing


def unit_price(
    unit_cost_base: Decimal | None, factor: Decimal, fx_rate_to_base: Decimal
) -> Decimal:
    """Supplier-currency price per purchase unit (0 when the cost is unknown)."""
    if unit_cost_base is None:
        return Decimal(0)
    return (unit_cost_base * factor / fx_rate_to_base).quantize(PRICE_QUANTUM, ROUND_HALF_UP)


def expected_arrival(today: date, lead_times: Iterable[Decimal]) -> date:
    """Today plus the longest lead time of the lines (whole days, rounded up)."""
    longest = max((float(x) for x in lead_times), default=0.0)
    return today + timedelta(days=math.ceil(longest))


def build_drafts(
    rows: Iterable[PlanRow],
    selection: Selection,
    *,
    base_currency: str,
    fx_rates: Mapping[str, tuple[Decimal, str]],
    today: date,
) -> DraftingResult:
    """Group selected rows by supplier × location into drafts.

    ``fx_rates`` maps a currency to (base units per one unit, source); the base currency
    is always 1. A group whose currency has no rate is left out and its currency listed
    in ``missing_fx``.
    """
    chosen, missing = select_rows(rows, selection)
    result = DraftingResult(not_in_plan=missing)
    groups: dict[tuple[str, str], list[PlanRow]] = {}
    for row in chosen:
        if row.supplier_id is None:
            result.without_supplier.append(
                {"variant_id": row.variant_id, "location_id": row.location_id, "sku": row.sku}
            )
            continue
        groups.setdefault((row.supplier_id, row.location_id), []).append(row)
    for (supplier_id, location_id), group in sorted(groups.items()):
        currency = (group[0].supplier_currency or base_currency).upper()
        if currency == base_currency:
            rate, source = Decimal(1), "base"
        elif currency in fx_rates:
            rate, source = fx_rates[currency]
        else:
            if currency not in result.missing_fx:
                result.missing_fx.append(currency)
            continue
        lines = tuple(
            DraftLine(
                variant_id=r.variant_id,
                sku=r.sku,
                name=r.name,
                uom=r.uom,
                purchase_uom=r.purchase_uom,
                purchase_uom_factor=r.purchase_uom_factor,
                quantity=r.order_qty_purchase_uom.quantize(QTY_QUANTUM),
                unit_price=unit_price(r.unit_cost, r.purchase_uom_factor, rate),
                unit_cost_base=r.unit_cost,
                lead_time_days=r.lead_time_days,
            )
            for r in group
        )
        result.drafts.append(
            DraftPlan(
                supplier_id=supplier_id,
                location_id=location_id,
                currency=currency,
                fx_rate_to_base=rate,
                fx_source=source,
                expected_arrival=expected_arrival(today, (r.lead_time_days for r in group)),
                provider_status=group[0].po_status_on_create,
                lines=lines,
            )
        )
    return result
