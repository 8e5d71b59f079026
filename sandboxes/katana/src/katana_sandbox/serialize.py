"""Convert a provider-neutral :class:`Dataset` into Katana-shaped JSON objects."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import numpy as np

from restock_demodata.model import (
    Dataset,
    ItemKind,
    MovementKind,
    PurchaseOrderStatus,
    SalesOrderStatus,
)

JSON = dict[str, Any]
SO_STATUS = {
    SalesOrderStatus.QUOTE: "PENDING",
    SalesOrderStatus.OPEN: "NOT_SHIPPED",
    SalesOrderStatus.DELIVERED: "DELIVERED",
}
PO_STATUS = {
    PurchaseOrderStatus.DRAFT: "DRAFT",
    PurchaseOrderStatus.OPEN: "NOT_RECEIVED",
    PurchaseOrderStatus.PARTIALLY_RECEIVED: "PARTIALLY_RECEIVED",
    PurchaseOrderStatus.RECEIVED: "RECEIVED",
}
RESOURCE = {
    MovementKind.OPENING: ("SystemGenerated", ""),
    MovementKind.PURCHASE_RECEIPT: ("PurchaseOrderRow", "PO-"),
    MovementKind.SALE: ("SalesOrderRow", "SO-"),
    MovementKind.PRODUCTION_OUTPUT: ("ManufacturingOrder", "MO-"),
    MovementKind.PRODUCTION_CONSUMPTION: ("ManufacturingOrderRecipeRow", "MO-"),
    MovementKind.TRANSFER_OUT: ("StockTransferRow", "ST-"),
    MovementKind.TRANSFER_IN: ("StockTransferRow", "ST-"),
}


def iso(dt: datetime | None) -> str | None:
    """ISO-8601 UTC with milliseconds and ``Z`` (``None`` stays ``None``)."""
    if dt is None:
        return None
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def iso_col(col: np.ndarray) -> list[str | None]:
    """Vectorised :func:`iso` for a ``datetime64`` column of shape (n,)."""
    out = np.datetime_as_string(col.astype("datetime64[ms]"), unit="ms")
    return [None if s == "NaT" else s + "Z" for s in out.tolist()]


def dec(x: float, places: int = 5) -> str:
    """Katana decimal string, e.g. ``"7.00000"``."""
    return f"{x:.{places}f}"


def catalog(ds: Dataset) -> tuple[list[JSON], list[JSON], list[JSON]]:
    """Products, materials and variants (variants also embedded in their item)."""
    cats = {c.id: c.name for c in ds.categories}
    by_item: dict[int, list[JSON]] = {}
    variants: list[JSON] = []
    for v in ds.variants:
        ts = iso(v.created_at)
        obj: JSON = {
            "id": v.id,
            "sku": v.sku,
            "product_id": v.item_id if v.kind is ItemKind.PRODUCT else None,
            "material_id": v.item_id if v.kind is ItemKind.MATERIAL else None,
            "type": v.kind.value,
            "sales_price": v.sales_price,
            "purchase_price": v.purchase_price if v.purchase_price is not None else 0.0,
            "internal_barcode": v.barcode,
            "registered_barcode": "",
            "supplier_item_codes": [f"SUP-{v.id}"] if v.supplier_id else [],
            "lead_time": v.lead_time_days,
            "minimum_order_quantity": v.minimum_order_quantity,
            "config_attributes": [
                {"config_name": n, "config_value": val} for n, val in v.config_attributes
            ],
            "custom_fields": [],
            "created_at": ts,
            "updated_at": ts,
            "deleted_at": None,
        }
        variants.append(obj)
        by_item.setdefault(v.item_id, []).append(obj)
    products, materials = [], []
    for it in ds.items:
        ts = iso(it.created_at)
        obj = {
            "id": it.id,
            "name": it.name,
            "type": it.kind.value,
            "uom": it.uom,
            "category_name": cats[it.category_id],
            "is_sellable": it.is_sellable,
            "default_supplier_id": it.default_supplier_id,
            "additional_info": "",
            "batch_tracked": False,
            "purchase_uom": it.purchase_uom,
            "purchase_uom_conversion_rate": it.purchase_uom_conversion_rate,
            "custom_field_collection_id": None,
            "configs": [
                {
                    "id": it.id * 10 + k,
                    "name": c.name,
                    "values": list(c.values),
                    ("product_id" if it.kind is ItemKind.PRODUCT else "material_id"): it.id,
                }
                for k, c in enumerate(it.configs)
            ],
            "archived_at": None,
            "created_at": ts,
            "updated_at": ts,
            "deleted_at": None,
            "variants": by_item.get(it.id, []),
        }
        if it.kind is ItemKind.PRODUCT:
            obj |= {
                "is_producible": it.is_producible,
                "is_purchasable": it.is_purchasable,
                "is_auto_assembly": False,
                "serial_tracked": False,
                "operations_in_sequence": False,
                "lead_time": None,
                "minimum_order_quantity": None,
            }
            products.append(obj)
        else:
            materials.append(obj)
    return products, materials, variants


def parties(ds: Dataset) -> tuple[list[JSON], list[JSON], list[JSON], list[JSON]]:
    """Locations, suppliers, customers and tax rates."""
    t0 = iso(ds.suppliers[0].created_at if ds.suppliers else ds.now)
    locs = [
        {
            "id": loc.id,
            "name": loc.name,
            "legal_name": loc.legal_name,
            "address_id": loc.id,
            "address": {
                "id": loc.id,
                "line_1": loc.line_1,
                "line_2": None,
                "city": loc.city,
                "state": None,
                "zip": loc.zip,
                "country": loc.country,
            },
            "is_primary": loc.is_primary,
            "sales_allowed": loc.sales_allowed,
            "purchase_allowed": loc.purchase_allowed,
            "manufacturing_allowed": loc.manufacturing_allowed,
            "created_at": t0,
            "updated_at": t0,
            "deleted_at": None,
        }
        for loc in ds.locations
    ]
    sups: list[JSON] = [
        {
            "id": s.id,
            "name": s.name,
            "email": s.email,
            "phone": s.phone,
            "currency": s.currency,
            "comment": f"Lead time ~{s.default_lead_time_days} days",
            "default_address_id": None,
            "addresses": [],
            "created_at": iso(s.created_at),
            "updated_at": iso(s.created_at),
            "deleted_at": None,
        }
        for s in ds.suppliers
    ]
    cus: list[JSON] = [
        {
            "id": c.id,
            "name": c.name,
            "first_name": c.first_name,
            "last_name": c.last_name,
            "company": c.company or None,
            "email": c.email,
            "phone": c.phone,
            "comment": None,
            "currency": c.currency,
            "reference_id": f"C{c.id:05d}",
            "category": c.category,
            "discount_rate": 0.0,
            "default_billing_id": None,
            "default_shipping_id": None,
            "addresses": [],
            "created_at": iso(c.created_at),
            "updated_at": iso(c.created_at),
            "deleted_at": None,
        }
        for c in ds.customers
    ]
    taxes = [
        {
            "id": t.id,
            "name": t.name,
            "rate": t.rate,
            "display_name": f"{t.name} ({t.rate:g}%)",
            "is_default_sales": t.is_default_sales,
            "is_default_purchases": t.is_default_purchases,
            "created_at": t0,
            "updated_at": t0,
        }
        for t in ds.tax_rates
    ]
    return locs, sups, cus, taxes


def bom_rows(ds: Dataset) -> list[JSON]:
    """BOM rows (UUID ids); timestamps are the parent variant's creation time."""
    created = {v.id: iso(v.created_at) for v in ds.variants}
    return [
        {
            "id": b.id,
            "product_item_id": b.product_item_id,
            "product_variant_id": b.product_variant_id,
            "ingredient_variant_id": b.ingredient_variant_id,
            "quantity": b.quantity,
            "notes": None,
            "rank": b.rank,
            "created_at": created[b.product_variant_id],
            "updated_at": created[b.product_variant_id],
        }
        for b in ds.bom_lines
    ]


def sales_orders(ds: Dataset) -> Iterator[JSON]:
    """Sales orders with embedded rows, oldest first."""
    so, sl = ds.sales_orders, ds.sales_lines
    ccy = {c.id: c.currency for c in ds.customers}
    at, due, shipped = iso_col(so.ordered_at), iso_col(so.delivery_date), iso_col(so.delivered_at)
    row_at = [at[i - 1] for i in sl.order_id.tolist()]
    rows = [
        {
            "id": rid,
            "sales_order_id": oid,
            "variant_id": vid,
            "quantity": q,
            "price_per_unit": p,
            "price_per_unit_in_base_currency": round(p * fx, 4),
            "total_discount": "0",
            "total": round(p * q, 2),
            "total_in_base_currency": round(p * q * fx, 2),
            "tax_rate_id": tax,
            "location_id": lid,
            "product_availability": None,
            "product_expected_date": None,
            "linked_manufacturing_order_id": None,
            "conversion_rate": fx,
            "conversion_date": ts,
            "cogs_value": None,
            "attributes": [],
            "batch_transactions": [],
            "serial_numbers": [],
            "created_at": ts,
            "updated_at": ts,
            "deleted_at": None,
        }
        for rid, oid, vid, q, p, tax, lid, fx, ts in zip(
            sl.id.tolist(),
            sl.order_id.tolist(),
            sl.variant_id.tolist(),
            sl.quantity.tolist(),
            sl.unit_price.tolist(),
            sl.tax_rate_id.tolist(),
            sl.location_id.tolist(),
            so.fx_rate[sl.order_id - 1].tolist(),
            row_at,
            strict=True,
        )
    ]
    for i, (oid, cid, lid, st, fx, s, n) in enumerate(
        zip(
            so.id.tolist(),
            so.customer_id.tolist(),
            so.location_id.tolist(),
            so.status.tolist(),
            so.fx_rate.tolist(),
            so.line_start.tolist(),
            so.line_count.tolist(),
            strict=True,
        )
    ):
        mine = rows[s : s + n]
        total = round(sum(r["total"] for r in mine), 2)
        status = SO_STATUS[SalesOrderStatus(st)]
        yield {
            "id": oid,
            "customer_id": cid,
            "order_no": f"SO-{oid}",
            "source": "api",
            "order_created_date": at[i],
            "delivery_date": due[i],
            "picked_date": shipped[i],
            "location_id": lid,
            "status": status,
            "currency": ccy[cid],
            "conversion_rate": fx,
            "conversion_date": at[i],
            "invoicing_status": "invoiced" if status == "DELIVERED" else "notInvoiced",
            "total": total,
            "total_in_base_currency": round(total * fx, 2),
            "additional_info": "",
            "customer_ref": None,
            "product_availability": "IN_STOCK" if status != "PENDING" else None,
            "product_expected_date": None,
            "ingredient_availability": None,
            "ingredient_expected_date": None,
            "production_status": "NOT_APPLICABLE",
            "tracking_number": None,
            "tracking_number_url": None,
            "billing_address_id": None,
            "shipping_address_id": None,
            "addresses": [],
            "ecommerce_order_type": None,
            "ecommerce_store_name": None,
            "ecommerce_order_id": None,
            "created_at": at[i],
            "updated_at": shipped[i] or at[i],
            "deleted_at": None,
            "sales_order_rows": mine,
        }


def purchase_orders(ds: Dataset) -> Iterator[JSON]:
    """Purchase orders with embedded rows, oldest first."""
    po, pl = ds.purchase_orders, ds.purchase_lines
    ccy = {s.id: s.currency for s in ds.suppliers}
    item_uom = {it.id: it.purchase_uom for it in ds.items}
    uom = {v.id: item_uom[v.item_id] for v in ds.variants}
    at, eta = iso_col(po.ordered_at), iso_col(po.expected_arrival)
    row_eta, rec = iso_col(pl.arrival_date), iso_col(pl.received_at)
    sup_of = po.supplier_id[pl.order_id - 1].tolist()
    fx_of = po.fx_rate[pl.order_id - 1].tolist()
    rows = []
    for k, (rid, oid, vid, q, p, conv, lid) in enumerate(
        zip(
            pl.id.tolist(),
            pl.order_id.tolist(),
            pl.variant_id.tolist(),
            pl.quantity.tolist(),
            pl.unit_price.tolist(),
            pl.conversion_rate.tolist(),
            pl.location_id.tolist(),
            strict=True,
        )
    ):
        ts, fx = at[oid - 1], fx_of[k]
        rows.append(
            {
                "id": rid,
                "purchase_order_id": oid,
                "variant_id": vid,
                "quantity": q,
                "price_per_unit": p,
                "price_per_unit_in_base_currency": round(p * fx, 4),
                "purchase_uom": uom.get(vid, "pcs")[:7],
                "purchase_uom_conversion_rate": conv,
                "tax_rate_id": 1,
                "currency": ccy[sup_of[k]],
                "conversion_rate": fx,
                "conversion_date": ts,
                "received_date": rec[k],
                "arrival_date": row_eta[k],
                "total": round(p * q, 2),
                "total_in_base_currency": round(p * q * fx, 2),
                "landed_cost": dec(p, 10),
                "group_id": oid,
                "location_id": lid,
                "batch_transactions": [],
                "created_at": ts,
                "updated_at": rec[k] or ts,
                "deleted_at": None,
            }
        )
    for i, (oid, sid, lid, st, fx, s, n) in enumerate(
        zip(
            po.id.tolist(),
            po.supplier_id.tolist(),
            po.location_id.tolist(),
            po.status.tolist(),
            po.fx_rate.tolist(),
            po.line_start.tolist(),
            po.line_count.tolist(),
            strict=True,
        )
    ):
        mine = rows[s : s + n]
        total = round(sum(r["total"] for r in mine), 2)
        updated = max([at[i]] + [r["updated_at"] for r in mine])
        yield {
            "id": oid,
            "order_no": f"PO-{oid}",
            "entity_type": "regular",
            "status": PO_STATUS[PurchaseOrderStatus(st)],
            "billing_status": "NOT_BILLED",
            "last_document_status": "NOT_SENT",
            "default_group_id": oid,
            "supplier_id": sid,
            "currency": ccy[sid],
            "expected_arrival_date": eta[i],
            "order_created_date": at[i],
            "additional_info": "",
            "location_id": lid,
            "tracking_location_id": None,
            "total": total,
            "total_in_base_currency": round(total * fx, 2),
            "created_at": at[i],
            "updated_at": updated,
            "deleted_at": None,
            "purchase_order_rows": mine,
        }


def movements(ds: Dataset) -> Iterator[JSON]:
    """Inventory movements in id order."""
    m = ds.movements
    order = np.argsort(m.id)
    ts = iso_col(m.at[order])
    cols = [
        getattr(m, c)[order].tolist()
        for c in (
            "id",
            "variant_id",
            "location_id",
            "kind",
            "quantity_change",
            "balance_after",
            "unit_cost",
            "source_id",
            "source_order_id",
        )
    ]
    for k, (mid, vid, lid, kind, q, bal, cost, src, oid) in enumerate(zip(*cols, strict=True)):
        rtype, prefix = RESOURCE[MovementKind(kind)]
        yield {
            "id": mid,
            "variant_id": vid,
            "location_id": lid,
            "resource_type": rtype,
            "resource_id": src if src > 0 else None,
            "caused_by_order_no": f"{prefix}{oid}" if oid > 0 else None,
            "caused_by_resource_id": oid if oid > 0 else None,
            "movement_date": ts[k],
            "quantity_change": q,
            "balance_after": bal,
            "value_per_unit": cost,
            "value_in_stock_after": round(bal * cost, 4),
            "average_cost_after": cost,
            "rank": k + 1,
            "created_at": ts[k],
            "updated_at": ts[k],
        }
