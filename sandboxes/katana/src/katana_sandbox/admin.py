"""``/_sandbox`` admin endpoints: clock, faults, stats, data mutations, deliveries."""

from __future__ import annotations

import dataclasses
from typing import Any

from fastapi import APIRouter, Header, HTTPException, Request

from katana_sandbox.account import Account
from katana_sandbox.config import SandboxClock
from katana_sandbox.middleware import Faults, Stats
from katana_sandbox.routes import soft_delete
from katana_sandbox.serialize import JSON, iso
from katana_sandbox.webhooks import Dispatcher

RESOURCES = {"products": "product", "variants": "variant", "sales_orders": "sales_order"}


def _create(a: Account, resource: str, data: dict[str, Any]) -> JSON:
    now = a.now()
    if resource == "products":
        pid = max(a.products.new_id(), a.materials.new_id())
        prod = {
            "id": pid,
            "name": data.get("name", f"New product {pid}"),
            "type": "product",
            "uom": "pcs",
            "category_name": "New",
            "is_sellable": True,
            "is_producible": False,
            "is_purchasable": True,
            "is_auto_assembly": False,
            "default_supplier_id": None,
            "additional_info": "",
            "batch_tracked": False,
            "serial_tracked": False,
            "operations_in_sequence": False,
            "purchase_uom": "pcs",
            "purchase_uom_conversion_rate": 1.0,
            "custom_field_collection_id": None,
            "lead_time": None,
            "minimum_order_quantity": None,
            "configs": [],
            "archived_at": None,
            "created_at": now,
            "updated_at": now,
            "deleted_at": None,
            "variants": [],
        }
        prod.update({k: v for k, v in data.items() if k in prod and k != "variants"})
        a.products.add(prod)
        a.emit("product", "created", pid, None, f"products/{pid}")
        if data.get("sku"):
            prod["variants"].append(_create(a, "variants", {"product_id": pid, "sku": data["sku"]}))
        return prod
    if resource == "variants":
        vid = a.variants.new_id()
        var = {
            "id": vid,
            "sku": data.get("sku", f"NEW-{vid}"),
            "product_id": data.get("product_id"),
            "material_id": None,
            "type": "product",
            "sales_price": data.get("sales_price", 10.0),
            "purchase_price": data.get("purchase_price", 5.0),
            "internal_barcode": "",
            "registered_barcode": "",
            "supplier_item_codes": [],
            "lead_time": None,
            "minimum_order_quantity": None,
            "config_attributes": [],
            "custom_fields": [],
            "created_at": now,
            "updated_at": now,
            "deleted_at": None,
        }
        a.variants.add(var)
        parent = a.products.get(var["product_id"])
        if parent is not None and var not in parent["variants"]:
            parent["variants"].append(var)
        a.emit("variant", "created", vid, None, f"variants/{vid}")
        return var
    oid = a.sales_orders.new_id()
    loc = int(data.get("location_id", 1))
    rows: list[JSON] = []
    for line in data.get("rows", []):
        rid = a.sales_order_rows.new_id()
        qty, price = float(line["quantity"]), float(line.get("price_per_unit", 10.0))
        rows.append(
            {
                "id": rid,
                "sales_order_id": oid,
                "variant_id": int(line["variant_id"]),
                "quantity": qty,
                "price_per_unit": price,
                "price_per_unit_in_base_currency": price,
                "total_discount": "0",
                "total": qty * price,
                "total_in_base_currency": qty * price,
                "tax_rate_id": 1,
                "location_id": loc,
                "product_availability": None,
                "product_expected_date": None,
                "linked_manufacturing_order_id": None,
                "conversion_rate": 1.0,
                "conversion_date": now,
                "cogs_value": None,
                "attributes": [],
                "batch_transactions": [],
                "serial_numbers": [],
                "created_at": now,
                "updated_at": now,
                "deleted_at": None,
            }
        )
    status = data.get("status", "NOT_SHIPPED")
    so = {
        "id": oid,
        "customer_id": int(data.get("customer_id", 1)),
        "order_no": f"SO-{oid}",
        "source": "api",
        "order_created_date": now,
        "delivery_date": now,
        "picked_date": None,
        "location_id": loc,
        "status": status,
        "currency": a.factory["base_currency_code"],
        "conversion_rate": 1.0,
        "conversion_date": now,
        "invoicing_status": "notInvoiced",
        "total": sum(r["total"] for r in rows),
        "total_in_base_currency": sum(r["total"] for r in rows),
        "additional_info": "",
        "customer_ref": None,
        "product_availability": None,
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
        "created_at": now,
        "updated_at": now,
        "deleted_at": None,
        "sales_order_rows": rows,
    }
    a.sales_orders.add(so)
    for r in rows:
        a.sales_order_rows.add(r)
        if status == "NOT_SHIPPED":
            a.stock_for(r["variant_id"], loc).committed += r["quantity"]
        elif status == "DELIVERED":
            a.move_stock(
                r["variant_id"],
                loc,
                -r["quantity"],
                "SalesOrderRow",
                r["id"],
                so["order_no"],
                oid,
                now,
            )
    a.emit("sales_order", "created", oid, status, f"sales_orders/{oid}")
    return so


def build_admin(
    accounts: dict[str, Account],
    clock: SandboxClock,
    faults: Faults,
    stats: Stats,
    dispatcher: Dispatcher,
    admin_token: str | None,
) -> APIRouter:
    """Admin router; when ``admin_token`` is set it must come as X-Sandbox-Admin-Token."""

    def guard(token: str | None) -> None:
        if admin_token is not None and token != admin_token:
            raise HTTPException(status_code=401, detail="admin token required")

    router = APIRouter(prefix="/_sandbox")
    Tok = Header(default=None, alias="X-Sandbox-Admin-Token")

    def account(key: str) -> Account:
        if key not in accounts:
            raise HTTPException(status_code=404, detail="unknown account")
        return accounts[key]

    @router.get("/clock")
    async def get_clock(x: str | None = Tok) -> dict[str, Any]:
        guard(x)
        return {"now": iso(clock.now())}

    @router.post("/clock/advance")
    async def advance(body: dict[str, float], x: str | None = Tok) -> dict[str, Any]:
        guard(x)
        secs = float(body.get("seconds", 0)) + 86400.0 * float(body.get("days", 0))
        try:
            return {"now": iso(clock.advance(secs))}
        except ValueError as exc:
            raise HTTPException(status_code=422, detail=str(exc)) from exc

    @router.get("/faults")
    async def get_faults(x: str | None = Tok) -> dict[str, Any]:
        guard(x)
        return dataclasses.asdict(faults)

    @router.post("/faults")
    async def set_faults(body: dict[str, Any], x: str | None = Tok) -> dict[str, Any]:
        guard(x)
        for key, value in body.items():
            if not hasattr(faults, key):
                raise HTTPException(status_code=422, detail=f"unknown fault {key}")
            setattr(faults, key, value)
        return dataclasses.asdict(faults)

    @router.delete("/faults")
    async def clear_faults(x: str | None = Tok) -> dict[str, Any]:
        guard(x)
        for f in dataclasses.fields(Faults):
            setattr(faults, f.name, f.default)
        return dataclasses.asdict(faults)

    @router.get("/stats")
    async def get_stats(x: str | None = Tok) -> dict[str, Any]:
        guard(x)
        return stats.as_json()

    @router.post("/stats/reset")
    async def reset_stats(x: str | None = Tok) -> dict[str, Any]:
        guard(x)
        for c in (stats.requests, stats.throttled, stats.faults):
            c.clear()
        return stats.as_json()

    @router.get("/webhook_deliveries")
    async def deliveries(x: str | None = Tok) -> list[dict[str, Any]]:
        guard(x)
        return [dataclasses.asdict(d) for d in dispatcher.deliveries]

    @router.post("/accounts/{key}/{resource}")
    async def create(key: str, resource: str, request: Request, x: str | None = Tok) -> JSON:
        guard(x)
        if resource not in RESOURCES:
            raise HTTPException(status_code=404, detail="unknown resource")
        return _create(account(key), resource, await request.json())

    @router.patch("/accounts/{key}/{resource}/{obj_id}")
    async def update(
        key: str, resource: str, obj_id: int, request: Request, x: str | None = Tok
    ) -> JSON:
        guard(x)
        a = account(key)
        row = getattr(a, resource).get(obj_id) if resource in RESOURCES else None
        if row is None:
            raise HTTPException(status_code=404, detail="not found")
        body = await request.json()
        row.update({k: v for k, v in body.items() if k in row and k not in ("id", "variants")})
        row["updated_at"] = a.now()
        a.emit(RESOURCES[resource], "updated", obj_id, row.get("status"), f"{resource}/{obj_id}")
        return row

    @router.delete("/accounts/{key}/{resource}/{obj_id}")
    async def delete(key: str, resource: str, obj_id: int, x: str | None = Tok) -> JSON:
        guard(x)
        a = account(key)
        row = getattr(a, resource).get(obj_id) if resource in RESOURCES else None
        if row is None:
            raise HTTPException(status_code=404, detail="not found")
        soft_delete(a, resource, row)
        a.emit(RESOURCES[resource], "deleted", obj_id, row.get("status"), None)
        return row

    return router
