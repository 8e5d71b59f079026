"""Katana JSON -> contract records (architecture §4). Pure: no I/O.

Every function takes one raw provider object and returns ``Normalised`` items (stream key,
parent id, record) or raises :class:`BadRecord`; callers skip bad records with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from connector_katana.domain.errors import BadRecord
from connector_katana.domain.values import (
    currency,
    dec,
    instant,
    opt_dec,
    opt_instant,
    opt_int,
    opt_pid,
    pid,
    req,
)
from restock_contracts.catalog.v1 import BomRowRecord, LocationRecord, SkuRecord, SupplierRecord
from restock_contracts.inventory.v1 import StockLevelRecord, StockMovementRecord
from restock_contracts.purchasing.v1 import PurchaseOrderLineRecord
from restock_contracts.sales.v1 import SalesLineRecord

SALES_STATUS = {
    "PENDING": "quote",
    "NOT_SHIPPED": "open",
    "PARTIALLY_PACKED": "open",
    "PACKED": "open",
    "PARTIALLY_DELIVERED": "open",
    "DELIVERED": "fulfilled",
}
PO_STATUS = {
    "DRAFT": "draft",
    "NOT_RECEIVED": "open",
    "PARTIALLY_RECEIVED": "partially_received",
    "RECEIVED": "received",
}
MOVEMENT_CAUSE = {
    "PurchaseOrderRow": "purchase",
    "PurchaseOrderRecipeRow": "purchase",
    "SalesOrderRow": "sale",
    "ManufacturingOrder": "production",
    "ManufacturingOrderRecipeRow": "consumption",
    "StockAdjustmentRow": "adjustment",
    "StockTransferRow": "transfer",
    "SystemGenerated": "system",
}


@dataclass(frozen=True)
class Normalised:
    """One normalised record with its snapshot key and parent (for per-parent deletions)."""

    key: str
    parent_id: str | None
    record: Any


@dataclass(frozen=True)
class Context:
    """Account facts normalisation needs."""

    base_currency: str
    default_purchase_location: str | None = None


def _deleted(raw: dict[str, Any]) -> bool:
    return bool(raw.get("deleted_at"))


def _latest(*values: datetime | None) -> datetime | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None


def _bool(raw: dict[str, Any], name: str, default: bool) -> bool:
    value = raw.get(name, default)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise BadRecord(f"invalid boolean {name!r}: {value!r}")
    return value


def sku_name(parent_name: str, variant: dict[str, Any]) -> str:
    """Product name plus the variant's config attribute values joined by " / "."""
    values = [
        str(a.get("config_value")).strip()
        for a in variant.get("config_attributes") or []
        if isinstance(a, dict) and a.get("config_value") not in (None, "")
    ]
    return " / ".join([parent_name, *values])


def skus_of_item(
    item: dict[str, Any], variants: list[dict[str, Any]] | None = None
) -> list[Normalised]:
    """One SKU per variant of a product or material (``variants`` overrides the embedded)."""
    kind = item.get("type") or ("material" if "is_producible" not in item else "product")
    if kind not in ("product", "material"):
        raise BadRecord(f"unknown item type {kind!r}")
    item_id = pid(req(item, "id"))
    name = str(req(item, "name"))
    rate = opt_dec(item.get("purchase_uom_conversion_rate"), "purchase_uom_conversion_rate")
    if rate is not None and rate <= 0:
        rate = None
    parent_updated = opt_instant(item.get("updated_at"), "updated_at")
    out = []
    for variant in variants if variants is not None else item.get("variants") or []:
        out.append(_sku(item, kind, item_id, name, rate, parent_updated, variant))
    return out


def _sku(
    item: dict[str, Any],
    kind: str,
    item_id: str,
    name: str,
    rate: Decimal | None,
    parent_updated: datetime | None,
    variant: dict[str, Any],
) -> Normalised:
    variant_id = pid(req(variant, "id"), "variant.id")
    price = opt_dec(variant.get("purchase_price"), "purchase_price")
    moq = opt_dec(variant.get("minimum_order_quantity"), "minimum_order_quantity")
    factor = rate or Decimal(1)
    lead = opt_int(variant.get("lead_time"), "lead_time")
    if lead is None:
        lead = opt_int(item.get("lead_time"), "lead_time")
    record = SkuRecord(
        product_id=item_id,
        variant_id=variant_id,
        sku=variant.get("sku") or None,
        name=sku_name(name, variant),
        category=item.get("category_name") or None,
        uom=item.get("uom") or None,
        purchase_uom=item.get("purchase_uom") or None,
        purchase_uom_conversion_rate=rate,
        is_purchased=True if kind == "material" else _bool(item, "is_purchasable", False),
        is_manufactured=False if kind == "material" else _bool(item, "is_producible", False),
        is_sold=_bool(item, "is_sellable", False),
        cost=None if price is None else price / factor,
        price=opt_dec(variant.get("sales_price"), "sales_price"),
        default_supplier_id=opt_pid(item.get("default_supplier_id"), "default_supplier_id"),
        lead_time_days=lead,
        moq=None if moq is None else moq * factor,
        discontinued=bool(item.get("archived_at")),
        updated_at=_latest(opt_instant(variant.get("updated_at"), "updated_at"), parent_updated),
        deleted=_deleted(variant) or _deleted(item),
    )
    return Normalised(variant_id, item_id, record)


def supplier(raw: dict[str, Any]) -> Normalised:
    """A Katana supplier."""
    supplier_id = pid(req(raw, "id"))
    cur = raw.get("currency")
    record = SupplierRecord(
        supplier_id=supplier_id,
        name=str(req(raw, "name")),
        currency=currency(cur) if cur else None,
        email=raw.get("email") or None,
        updated_at=opt_instant(raw.get("updated_at"), "updated_at"),
        deleted=_deleted(raw),
    )
    return Normalised(supplier_id, None, record)


def location(raw: dict[str, Any], ctx: Context) -> Normalised:
    """A location; sales-only ones point at the default purchasing location."""
    location_id = pid(req(raw, "id"))
    sales_only = (
        _bool(raw, "sales_allowed", False)
        and not _bool(raw, "purchase_allowed", True)
        and not _bool(raw, "manufacturing_allowed", False)
    )
    record = LocationRecord(
        location_id=location_id,
        name=str(req(raw, "name")),
        is_sales_only=sales_only,
        purchasing_location_id=ctx.default_purchase_location if sales_only else None,
        is_primary=_bool(raw, "is_primary", False),
        updated_at=opt_instant(raw.get("updated_at"), "updated_at"),
        deleted=_deleted(raw),
    )
    return Normalised(location_id, None, record)


def bom_row(raw: dict[str, Any]) -> Normalised:
    """A BOM row (uuid id)."""
    row_id = pid(req(raw, "id"))
    parent = pid(req(raw, "product_variant_id"), "product_variant_id")
    record = BomRowRecord(
        bom_row_id=row_id,
        parent_variant_id=parent,
        component_variant_id=pid(req(raw, "ingredient_variant_id"), "ingredient_variant_id"),
        quantity_per=dec(req(raw, "quantity"), "quantity"),
        updated_at=opt_instant(raw.get("updated_at"), "updated_at"),
        deleted=_deleted(raw),
    )
    return Normalised(row_id, parent, record)


def stock_level(raw: dict[str, Any], as_of: datetime) -> Normalised:
    """Stock of one variant at one location (inventory rows have no id or timestamps)."""
    variant_id = pid(req(raw, "variant_id"), "variant_id")
    location_id = pid(req(raw, "location_id"), "location_id")
    record = StockLevelRecord(
        variant_id=variant_id,
        location_id=location_id,
        on_hand=dec(req(raw, "quantity_in_stock"), "quantity_in_stock"),
        committed=dec(raw.get("quantity_committed") or 0, "quantity_committed"),
        expected=opt_dec(raw.get("quantity_expected"), "quantity_expected"),
        average_cost=opt_dec(raw.get("average_cost"), "average_cost"),
        as_of=as_of,
        updated_at=None,
    )
    return Normalised(f"{variant_id}:{location_id}", variant_id, record)


def movement(raw: dict[str, Any]) -> Normalised:
    """An inventory movement with its balance after."""
    movement_id = pid(req(raw, "id"))
    resource_type = raw.get("resource_type")
    record = StockMovementRecord(
        movement_id=movement_id,
        variant_id=pid(req(raw, "variant_id"), "variant_id"),
        location_id=pid(req(raw, "location_id"), "location_id"),
        movement_date=instant(req(raw, "movement_date"), "movement_date"),
        quantity_change=dec(req(raw, "quantity_change"), "quantity_change"),
        balance_after=dec(req(raw, "balance_after"), "balance_after"),
        cause=MOVEMENT_CAUSE.get(str(resource_type), "other"),
        resource_type=str(resource_type) if resource_type else None,
        resource_id=opt_pid(raw.get("resource_id"), "resource_id"),
        caused_by_order_no=raw.get("caused_by_order_no") or None,
        updated_at=opt_instant(raw.get("updated_at"), "updated_at"),
        deleted=_deleted(raw),
    )
    return Normalised(movement_id, None, record)


def _fx(raw: dict[str, Any], cur: str, ctx: Context) -> Decimal:
    rate = opt_dec(raw.get("conversion_rate"), "conversion_rate")
    if rate is not None and rate > 0:
        return rate
    if cur == ctx.base_currency:
        return Decimal(1)
    raise BadRecord(f"no conversion rate for currency {cur}")


def sales_lines(order: dict[str, Any], ctx: Context) -> list[Normalised]:
    """One sales line per sales-order row, base amounts via the order's conversion rate."""
    order_id = pid(req(order, "id"))
    raw_status = str(req(order, "status"))
    status = SALES_STATUS.get(raw_status)
    if status is None:
        raise BadRecord(f"unknown sales order status {raw_status!r}")
    cur = currency(req(order, "currency"))
    fx = _fx(order, cur, ctx)
    order_date = instant(
        order.get("order_created_date") or req(order, "created_at"), "order_created_date"
    )
    delivery = opt_instant(order.get("delivery_date"), "delivery_date")
    order_updated = opt_instant(order.get("updated_at"), "updated_at")
    out = []
    for row in order.get("sales_order_rows") or []:
        line_id = pid(req(row, "id"), "row.id")
        quantity = dec(req(row, "quantity"), "quantity")
        if quantity < 0:
            raise BadRecord(f"negative quantity on sales row {line_id}")
        total = opt_dec(row.get("total"), "total")
        unit = opt_dec(row.get("price_per_unit"), "price_per_unit")
        if total is None and unit is not None:
            total = unit * quantity
        record = SalesLineRecord(
            order_id=order_id,
            line_id=line_id,
            order_number=order.get("order_no") or None,
            customer_id=opt_pid(order.get("customer_id"), "customer_id"),
            variant_id=pid(req(row, "variant_id"), "variant_id"),
            location_id=pid(row.get("location_id") or req(order, "location_id"), "location_id"),
            order_date=order_date,
            delivery_date=delivery.date() if delivery else None,
            quantity=quantity,
            unit_price=unit,
            currency=cur,
            fx_rate_to_base=fx,
            base_amount=None if total is None else (total * fx).quantize(Decimal("0.0001")),
            raw_status=raw_status,
            status=status,
            updated_at=_latest(opt_instant(row.get("updated_at"), "updated_at"), order_updated),
            deleted=_deleted(row) or _deleted(order),
        )
        out.append(Normalised(line_id, order_id, record))
    return out


def purchase_order_lines(
    order: dict[str, Any], ctx: Context, restock_orders: dict[str, Any] | None = None
) -> list[Normalised]:
    """Purchase order lines in stock units; rows take the order's location when unset."""
    po_id = pid(req(order, "id"))
    raw_status = str(req(order, "status"))
    status = PO_STATUS.get(raw_status)
    if status is None:
        raise BadRecord(f"unknown purchase order status {raw_status!r}")
    cur = currency(req(order, "currency"))
    order_date = instant(
        order.get("order_created_date") or req(order, "created_at"), "order_created_date"
    )
    expected = opt_instant(order.get("expected_arrival_date"), "expected_arrival_date")
    order_updated = opt_instant(order.get("updated_at"), "updated_at")
    submission = (restock_orders or {}).get(str(order.get("order_no")))
    out = []
    for row in order.get("purchase_order_rows") or []:
        line_id = pid(req(row, "id"), "row.id")
        rate = opt_dec(row.get("purchase_uom_conversion_rate"), "purchase_uom_conversion_rate")
        rate = rate if rate is not None and rate > 0 else Decimal(1)
        quantity = dec(req(row, "quantity"), "quantity") * rate
        if quantity < 0:
            raise BadRecord(f"negative quantity on purchase row {line_id}")
        received_at = opt_instant(row.get("received_date"), "received_date")
        received = quantity if received_at else Decimal(0)
        record = PurchaseOrderLineRecord(
            po_id=po_id,
            po_number=order.get("order_no") or None,
            line_id=line_id,
            supplier_id=opt_pid(order.get("supplier_id"), "supplier_id"),
            location_id=pid(row.get("location_id") or req(order, "location_id"), "location_id"),
            variant_id=pid(req(row, "variant_id"), "variant_id"),
            quantity_ordered=quantity,
            quantity_received=received,
            quantity_remaining=quantity - received,
            purchase_uom=row.get("purchase_uom") or None,
            purchase_uom_conversion_rate=rate,
            unit_price=opt_dec(row.get("price_per_unit"), "price_per_unit"),
            currency=cur,
            fx_rate_to_base=_fx(row, cur, ctx)
            if row.get("conversion_rate")
            else _fx(order, cur, ctx),
            order_date=order_date,
            expected_arrival=opt_instant(row.get("arrival_date"), "arrival_date") or expected,
            received_date=received_at,
            raw_status=raw_status,
            status=status,
            created_by_restock=submission is not None,
            restock_submission_id=submission,
            updated_at=_latest(opt_instant(row.get("updated_at"), "updated_at"), order_updated),
            deleted=_deleted(row) or _deleted(order),
        )
        out.append(Normalised(line_id, po_id, record))
    return out
