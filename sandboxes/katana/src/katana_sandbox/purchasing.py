"""Purchase orders: create, patch, delete, rows and receiving, with Katana's validation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from katana_sandbox.account import Account
from katana_sandbox.errors import KatanaError, detail, validation_error
from katana_sandbox.serialize import JSON, iso
from katana_sandbox.store import parse_instant
from katana_sandbox.validation import Prop, validate

OPEN = ("NOT_RECEIVED", "PARTIALLY_RECEIVED")
ROW_FIELDS: dict[str, Prop] = {
    "variant_id": Prop("integer", required=True, minimum=1),
    "quantity": Prop("number", required=True, minimum=0, maximum=1e17),
    "price_per_unit": Prop("number", required=True, minimum=0, maximum=1e17),
    "tax_rate_id": Prop("integer", minimum=1),
    "tax_rate": Prop("number", minimum=0),
    "tax_name": Prop("string"),
    "arrival_date": Prop("string"),
    "purchase_uom": Prop("string", nullable=True, min_length=1, max_length=7),
    "purchase_uom_conversion_rate": Prop("number", nullable=True, minimum=0),
    "location_id": Prop("integer", minimum=1),
}
CREATE: dict[str, Prop] = {
    "supplier_id": Prop("integer", required=True, minimum=1),
    "location_id": Prop("integer", required=True, minimum=1),
    "purchase_order_rows": Prop("array", required=True, min_items=1, items=ROW_FIELDS),
    "order_no": Prop("string", min_length=1),
    "status": Prop("string", enum=("DRAFT", "NOT_RECEIVED")),
    "currency": Prop("string", min_length=3, max_length=3),
    "expected_arrival_date": Prop("string"),
    "order_created_date": Prop("string"),
    "entity_type": Prop("string", enum=("regular", "outsourced")),
    "tracking_location_id": Prop("integer", minimum=1),
    "additional_info": Prop("string"),
}
PATCH: dict[str, Prop] = {
    **{
        k: Prop(v.type, minimum=v.minimum, min_length=v.min_length, max_length=v.max_length)
        for k, v in CREATE.items()
        if k not in ("purchase_order_rows", "status", "entity_type")
    },
    "status": Prop("string", enum=("DRAFT", "NOT_RECEIVED", "PARTIALLY_RECEIVED", "RECEIVED")),
}
ROW_CREATE = {
    **ROW_FIELDS,
    "purchase_order_id": Prop("integer", required=True, minimum=1),
    "currency": Prop("string"),
}
ROW_PATCH = {
    **{
        k: Prop(
            v.type,
            nullable=v.nullable,
            minimum=v.minimum,
            maximum=v.maximum,
            min_length=v.min_length,
            max_length=v.max_length,
        )
        for k, v in ROW_FIELDS.items()
    },
    "received_date": Prop("string"),
}
RECEIVE = {
    "purchase_order_row_id": Prop("integer", required=True, minimum=1),
    "quantity": Prop("number", required=True, minimum=0),
    "received_date": Prop("string"),
    "location_id": Prop("integer", minimum=1),
    "batch_transactions": Prop("array"),
}


def _date(body: dict[str, Any], key: str, path: str, errs: list[dict[str, Any]]) -> str | None:
    if key not in body:
        return None
    value = parse_instant(body[key]) if isinstance(body[key], str) else None
    if value is None and body[key] is not None:
        errs.append(detail(path, "format", 'should match format "date-time"', format="date-time"))
    return value


def _check_refs(
    acc: Account,
    body: dict[str, Any],
    rows: list[dict[str, Any]],
    prefix: str = ".purchase_order_rows",
) -> list[dict[str, Any]]:
    errs: list[dict[str, Any]] = []
    if "supplier_id" in body and acc.suppliers.get(body["supplier_id"]) is None:
        errs.append(detail(".supplier_id", "notFound", "supplier not found"))
    if "location_id" in body and acc.locations.get(body["location_id"]) is None:
        errs.append(detail(".location_id", "notFound", "location not found"))
    for i, row in enumerate(rows):
        p = f"{prefix}[{i}]" if prefix else ""
        if "variant_id" in row and acc.variants.get(row["variant_id"]) is None:
            errs.append(detail(f"{p}.variant_id", "notFound", "variant not found"))
        if "tax_rate_id" in row and acc.tax_rates.get(row["tax_rate_id"]) is None:
            errs.append(detail(f"{p}.tax_rate_id", "notFound", "tax rate not found"))
        _date(row, "arrival_date", f"{p}.arrival_date", errs)
    return errs


def _unique_order_no(acc: Account, order_no: str, exclude: int | None = None) -> bool:
    return not any(
        po["order_no"] == order_no and po["deleted_at"] is None and po["id"] != exclude
        for po in acc.purchase_orders.rows.values()
    )


def _conv(row: JSON) -> float:
    return float(row.get("purchase_uom_conversion_rate") or 1.0)


def _expect(acc: Account, po: JSON, row: JSON, sign: float) -> None:
    if po["status"] in OPEN and row["received_date"] is None and row.get("deleted_at") is None:
        s = acc.stock_for(row["variant_id"], row["location_id"])
        s.expected = round(max(s.expected + sign * row["quantity"] * _conv(row), 0.0), 6)


def _new_row(acc: Account, po: JSON, body: dict[str, Any], now: str) -> JSON:
    variant = acc.variants.get(body["variant_id"]) or {}
    item = (
        acc.products.get(variant.get("product_id"))
        or acc.materials.get(variant.get("material_id"))
        or {}
    )
    qty, price = float(body["quantity"]), float(body["price_per_unit"])
    sup = acc.suppliers.get(po["supplier_id"]) or {}
    fx = (
        1.0
        if po["currency"] == acc.factory["base_currency_code"]
        else acc.dataset.fx.rate(po["currency"], acc.clock.now().date())
    )
    return {
        "id": acc.purchase_order_rows.new_id(),
        "purchase_order_id": po["id"],
        "variant_id": body["variant_id"],
        "quantity": qty,
        "price_per_unit": price,
        "price_per_unit_in_base_currency": round(price * fx, 4),
        "purchase_uom": body.get("purchase_uom") or (item.get("purchase_uom") or "pcs")[:7],
        "purchase_uom_conversion_rate": body.get("purchase_uom_conversion_rate")
        or item.get("purchase_uom_conversion_rate")
        or 1.0,
        "tax_rate_id": body.get("tax_rate_id", 1),
        "currency": po["currency"] or sup.get("currency"),
        "conversion_rate": fx,
        "conversion_date": now,
        "received_date": None,
        "arrival_date": parse_instant(body["arrival_date"])
        if body.get("arrival_date")
        else po["expected_arrival_date"],
        "total": round(qty * price, 2),
        "total_in_base_currency": round(qty * price * fx, 2),
        "landed_cost": f"{price:.10f}",
        "group_id": po["default_group_id"],
        "location_id": po["location_id"],
        "batch_transactions": [],
        "created_at": now,
        "updated_at": now,
        "deleted_at": None,
    }


def _retotal(po: JSON) -> None:
    live = [r for r in po["purchase_order_rows"] if r.get("deleted_at") is None]
    po["total"] = round(sum(r["total"] for r in live), 2)
    po["total_in_base_currency"] = round(sum(r["total_in_base_currency"] for r in live), 2)


def create_po(acc: Account, body: Any) -> JSON:
    """``POST /purchase_orders``: validate, store, raise ``quantity_expected``."""
    validate(body, CREATE)
    errs = _check_refs(acc, body, body["purchase_order_rows"])
    eta = _date(body, "expected_arrival_date", ".expected_arrival_date", errs)
    created = _date(body, "order_created_date", ".order_created_date", errs)
    if "order_no" in body and not _unique_order_no(acc, body["order_no"]):
        errs.append(detail(".order_no", "unique", "order_no must be unique"))
    if errs:
        raise validation_error(errs)
    now = acc.now()
    pid = acc.purchase_orders.new_id()
    sup = acc.suppliers.get(body["supplier_id"]) or {}
    if eta is None:
        lead = max(
            int((acc.variants.get(r["variant_id"]) or {}).get("lead_time") or 14)
            for r in body["purchase_order_rows"]
        )
        eta = iso(acc.clock.now() + timedelta(days=lead))
    po: JSON = {
        "id": pid,
        "order_no": body.get("order_no", f"PO-{pid}"),
        "entity_type": body.get("entity_type", "regular"),
        "status": body.get("status", "NOT_RECEIVED"),
        "billing_status": "NOT_BILLED",
        "last_document_status": "NOT_SENT",
        "default_group_id": pid,
        "supplier_id": body["supplier_id"],
        "currency": body.get("currency", sup.get("currency")),
        "expected_arrival_date": eta,
        "order_created_date": created or now,
        "additional_info": body.get("additional_info", ""),
        "location_id": body["location_id"],
        "tracking_location_id": body.get("tracking_location_id"),
        "total": 0.0,
        "total_in_base_currency": 0.0,
        "created_at": now,
        "updated_at": now,
        "deleted_at": None,
        "purchase_order_rows": [],
    }
    for rb in body["purchase_order_rows"]:
        row = _new_row(acc, po, rb, now)
        po["purchase_order_rows"].append(row)
        acc.purchase_order_rows.add(row)
        _expect(acc, po, row, 1.0)
    _retotal(po)
    acc.purchase_orders.add(po)
    acc.emit("purchase_order", "created", pid, po["status"], f"purchase_orders/{pid}")
    for row in po["purchase_order_rows"]:
        acc.emit(
            "purchase_order_row", "created", row["id"], None, f"purchase_order_rows/{row['id']}"
        )
    return po


def _po(acc: Account, pid: int) -> JSON:
    po = acc.purchase_orders.get(pid)
    if po is None:
        raise KatanaError(404)
    return po


def _receive_row(acc: Account, po: JSON, row: JSON, qty: float, when: str) -> None:
    now = acc.now()
    _expect(acc, po, row, -1.0)
    if qty < row["quantity"]:
        rest = dict(
            row,
            id=acc.purchase_order_rows.new_id(),
            quantity=row["quantity"] - qty,
            created_at=now,
            updated_at=now,
            batch_transactions=[],
        )
        rest["total"] = round(rest["quantity"] * rest["price_per_unit"], 2)
        po["purchase_order_rows"].append(rest)
        acc.purchase_order_rows.add(rest)
        _expect(acc, po, rest, 1.0)
    row.update(
        quantity=qty,
        received_date=when,
        updated_at=now,
        total=round(qty * row["price_per_unit"], 2),
    )
    acc.move_stock(
        row["variant_id"],
        row["location_id"],
        round(qty * _conv(row), 6),
        "PurchaseOrderRow",
        row["id"],
        po["order_no"],
        po["id"],
        when,
    )
    acc.emit("purchase_order_row", "received", row["id"], None, f"purchase_order_rows/{row['id']}")


def _refresh_status(acc: Account, po: JSON) -> None:
    live = [r for r in po["purchase_order_rows"] if r.get("deleted_at") is None]
    got = [r for r in live if r["received_date"] is not None]
    if po["status"] == "DRAFT" or not got:
        return
    status = "RECEIVED" if len(got) == len(live) else "PARTIALLY_RECEIVED"
    po.update(status=status, updated_at=acc.now())
    _retotal(po)
    acc.emit("purchase_order", "updated", po["id"], status, f"purchase_orders/{po['id']}")
    acc.emit("purchase_order", status.lower(), po["id"], status, f"purchase_orders/{po['id']}")


def receive(acc: Account, body: Any) -> None:
    """``POST /purchase_order_receive`` (object or array): move stock, split partials."""
    items = body if isinstance(body, list) else [body]
    if isinstance(body, list) and not body:
        raise validation_error([detail("", "minItems", "should NOT have fewer than 1 items")])
    for item in items:
        validate(item, RECEIVE)
    touched: dict[int, JSON] = {}
    for i, item in enumerate(items):
        row = acc.purchase_order_rows.get(item["purchase_order_row_id"])
        po = acc.purchase_orders.get(row["purchase_order_id"]) if row else None
        if row is None or po is None:
            raise validation_error(
                [detail(f"[{i}].purchase_order_row_id", "notFound", "purchase order row not found")]
            )
        if row["received_date"] is not None or po["status"] == "DRAFT":
            raise validation_error(
                [
                    detail(
                        f"[{i}].purchase_order_row_id",
                        "notReceivable",
                        "row is already received or the order is a draft",
                    )
                ]
            )
        when = parse_instant(item["received_date"]) if item.get("received_date") else acc.now()
        qty = min(float(item["quantity"]), float(row["quantity"]))
        _receive_row(acc, po, row, qty, when or acc.now())
        touched[po["id"]] = po
    for po in touched.values():
        _refresh_status(acc, po)


def patch_po(acc: Account, pid: int, body: Any) -> JSON:
    """``PATCH /purchase_orders/{id}``; status RECEIVED receives every open row.
    Omitting ``additional_info`` wipes it to "" (as Katana does)."""
    po = _po(acc, pid)
    validate(body, PATCH)
    errs = _check_refs(acc, body, [])
    for key in ("expected_arrival_date", "order_created_date"):
        if key in body:
            body[key] = _date(body, key, f".{key}", errs)
    if "order_no" in body and not _unique_order_no(acc, body["order_no"], exclude=pid):
        errs.append(detail(".order_no", "unique", "order_no must be unique"))
    status = body.pop("status", None)
    if (
        status
        and po["status"] in ("RECEIVED", "PARTIALLY_RECEIVED")
        and status in ("DRAFT", "NOT_RECEIVED")
    ):
        errs.append(detail(".status", "notSupported", "the sandbox cannot undo receipts"))
    if errs:
        raise validation_error(errs)
    rows = [r for r in po["purchase_order_rows"] if r.get("deleted_at") is None]
    for r in rows:
        _expect(acc, po, r, -1.0)
    po.update(body, additional_info=body.get("additional_info", ""), updated_at=acc.now())
    if status in ("DRAFT", "NOT_RECEIVED") or (
        status == "PARTIALLY_RECEIVED" and po["status"] == "DRAFT"
    ):
        po["status"] = status
    for r in rows:
        r["location_id"] = po["location_id"] if r["received_date"] is None else r["location_id"]
        _expect(acc, po, r, 1.0)
    acc.emit("purchase_order", "updated", pid, po["status"], f"purchase_orders/{pid}")
    if status == "RECEIVED":
        if po["status"] == "DRAFT":
            po["status"] = "NOT_RECEIVED"
            for r in rows:
                _expect(acc, po, r, 1.0)
        for r in rows:
            if r["received_date"] is None:
                _receive_row(acc, po, r, float(r["quantity"]), acc.now())
        _refresh_status(acc, po)
    return po


def delete_po(acc: Account, pid: int) -> None:
    """``DELETE /purchase_orders/{id}``: 412 once stock was received."""
    po = _po(acc, pid)
    if any(r["received_date"] for r in po["purchase_order_rows"]):
        raise KatanaError(
            412, "Purchase order has received rows and cannot be deleted", wrapped=True
        )
    now = acc.now()
    for r in po["purchase_order_rows"]:
        _expect(acc, po, r, -1.0)
        r.update(deleted_at=now, updated_at=now)
    po.update(deleted_at=now, updated_at=now)
    acc.emit("purchase_order", "deleted", pid, po["status"], None)


def create_row(acc: Account, body: Any) -> JSON:
    """``POST /purchase_order_rows``."""
    validate(body, ROW_CREATE)
    errs = _check_refs(acc, body, [body], prefix="")
    po = acc.purchase_orders.get(body["purchase_order_id"])
    if po is None:
        errs.append(detail(".purchase_order_id", "notFound", "purchase order not found"))
    if errs or po is None:
        raise validation_error(errs)
    row = _new_row(acc, po, body, acc.now())
    if body.get("location_id"):
        row["location_id"] = body["location_id"]
    po["purchase_order_rows"].append(row)
    acc.purchase_order_rows.add(row)
    _expect(acc, po, row, 1.0)
    _retotal(po)
    acc.emit("purchase_order_row", "created", row["id"], None, f"purchase_order_rows/{row['id']}")
    return row


def patch_row(acc: Account, rid: int, body: Any) -> JSON:
    """``PATCH /purchase_order_rows/{id}``: only while the row is not received."""
    row = acc.purchase_order_rows.get(rid)
    if row is None:
        raise KatanaError(404)
    validate(body, ROW_PATCH)
    errs = _check_refs(acc, body, [body], prefix="")
    if row["received_date"] is not None:
        errs.append(detail(".received_date", "notEditable", "received rows cannot be edited"))
    if errs:
        raise validation_error(errs)
    po = _po(acc, row["purchase_order_id"])
    _expect(acc, po, row, -1.0)
    if body.get("arrival_date"):
        body["arrival_date"] = parse_instant(body["arrival_date"])
    row.update(body, updated_at=acc.now())
    row["total"] = round(row["quantity"] * row["price_per_unit"], 2)
    _expect(acc, po, row, 1.0)
    _retotal(po)
    acc.emit("purchase_order_row", "updated", rid, None, f"purchase_order_rows/{rid}")
    return row


def delete_row(acc: Account, rid: int) -> None:
    """``DELETE /purchase_order_rows/{id}`` (soft delete)."""
    row = acc.purchase_order_rows.get(rid)
    if row is None:
        raise KatanaError(404)
    if row["received_date"] is not None:
        raise KatanaError(412, "Received rows cannot be deleted", wrapped=True)
    po = _po(acc, row["purchase_order_id"])
    _expect(acc, po, row, -1.0)
    now = acc.now()
    row.update(deleted_at=now, updated_at=now)
    _retotal(po)
    acc.emit("purchase_order_row", "deleted", rid, None, None)
