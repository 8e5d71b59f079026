"""Katana's ``/v1`` API surface."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from katana_sandbox import purchasing
from katana_sandbox.account import Account
from katana_sandbox.errors import KatanaError, detail, validation_error
from katana_sandbox.middleware import Faults
from katana_sandbox.serialize import JSON
from katana_sandbox.store import Table, pagination_header, query
from katana_sandbox.validation import Prop, validate
from katana_sandbox.webhooks import WEBHOOK_CREATE, WEBHOOK_PATCH

LISTS = (
    "products",
    "materials",
    "variants",
    "locations",
    "suppliers",
    "customers",
    "tax_rates",
    "bom_rows",
    "recipes",
    "sales_orders",
    "sales_order_rows",
    "purchase_orders",
    "purchase_order_rows",
    "inventory_movements",
    "webhooks",
)
BY_ID = (
    "products",
    "materials",
    "variants",
    "locations",
    "sales_orders",
    "sales_order_rows",
    "purchase_orders",
    "purchase_order_rows",
    "webhooks",
)
DELETABLE = {
    "products": "product",
    "materials": "material",
    "variants": "variant",
    "sales_orders": "sales_order",
}
SAFETY = {
    "variant_id": Prop("integer", required=True, minimum=1),
    "location_id": Prop("integer", required=True, minimum=1),
    "value": Prop("number", required=True, minimum=0),
}


def _params(request: Request) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for k, v in request.query_params.multi_items():
        out.setdefault(k.removesuffix("[]"), []).append(v)
    return out


def _id(raw: str) -> int:
    try:
        return int(raw)
    except ValueError as exc:
        raise KatanaError(404) from exc


async def _body(request: Request) -> Any:
    try:
        return await request.json()
    except ValueError as exc:
        raise validation_error([detail("", "type", "should be object")]) from exc


def _page(table: Table, request: Request) -> Response:
    rows, meta = query(table, _params(request))
    return Response(
        table.index.encode(rows),
        media_type="application/json",
        headers={"X-Pagination": pagination_header(meta)},
    )


def build_router(accounts: dict[str, Account], faults: Faults) -> APIRouter:
    """All Katana endpoints; the account comes from the authenticated API key."""
    router = APIRouter(prefix="/v1")

    def acc(request: Request) -> Account:
        return accounts[request.scope["state"]["api_key"]]

    def lister(name: str) -> Callable[[Request], Any]:
        async def handler(request: Request) -> Response:
            return _page(getattr(acc(request), name), request)

        return handler

    def getter(name: str) -> Callable[[Request, str], Any]:
        async def handler(request: Request, obj_id: str) -> JSONResponse:
            table: Table = getattr(acc(request), name)
            row = table.get(_id(obj_id))
            if row is None:
                raise KatanaError(404)
            return JSONResponse(row)

        return handler

    def deleter(name: str, resource: str) -> Callable[[Request, str], Any]:
        async def handler(request: Request, obj_id: str) -> Response:
            a = acc(request)
            row = getattr(a, name).get(_id(obj_id))
            if row is None:
                raise KatanaError(404)
            soft_delete(a, name, row)
            a.emit(resource, "deleted", row["id"], row.get("status"), None)
            return Response(status_code=204)

        return handler

    for name in LISTS:
        router.add_api_route(f"/{name}", lister(name), methods=["GET"], name=f"list_{name}")
    for name in BY_ID:
        router.add_api_route(
            f"/{name}/{{obj_id}}", getter(name), methods=["GET"], name=f"get_{name}"
        )
    for name, resource in DELETABLE.items():
        router.add_api_route(
            f"/{name}/{{obj_id}}",
            deleter(name, resource),
            methods=["DELETE"],
            name=f"delete_{name}",
        )

    @router.get("/inventory")
    async def inventory(request: Request) -> Response:
        return _page(acc(request).inventory, request)

    @router.get("/factory")
    async def factory(request: Request) -> JSONResponse:
        return JSONResponse(acc(request).factory)

    @router.post("/inventory_safety_stock_levels")
    async def safety(request: Request) -> JSONResponse:
        body = await _body(request)
        validate(body, SAFETY)
        a = acc(request)
        if (
            a.variants.get(body["variant_id"]) is None
            or a.locations.get(body["location_id"]) is None
        ):
            raise validation_error(
                [detail(".variant_id", "notFound", "variant or location not found")]
            )
        a.stock_for(body["variant_id"], body["location_id"]).safety = float(body["value"])
        return JSONResponse({**body, "value": f"{float(body['value']):.5f}"})

    @router.post("/purchase_orders")
    async def create_po(request: Request) -> JSONResponse:
        a = acc(request)
        po = purchasing.create_po(a, await _body(request))
        a.touch()
        if faults.po_create_count > 0 and faults.po_create_mode:
            faults.po_create_count -= 1
            state = request.scope["state"]
            if faults.po_create_mode == "drop":
                state["drop_response"] = True
            else:
                await asyncio.sleep(faults.po_create_delay_s)
        return JSONResponse(po)

    @router.patch("/purchase_orders/{obj_id}")
    async def patch_po(request: Request, obj_id: str) -> JSONResponse:
        return JSONResponse(purchasing.patch_po(acc(request), _id(obj_id), await _body(request)))

    @router.delete("/purchase_orders/{obj_id}")
    async def delete_po(request: Request, obj_id: str) -> Response:
        purchasing.delete_po(acc(request), _id(obj_id))
        return Response(status_code=204)

    @router.post("/purchase_order_rows")
    async def create_row(request: Request) -> JSONResponse:
        return JSONResponse(purchasing.create_row(acc(request), await _body(request)))

    @router.patch("/purchase_order_rows/{obj_id}")
    async def patch_row(request: Request, obj_id: str) -> JSONResponse:
        return JSONResponse(purchasing.patch_row(acc(request), _id(obj_id), await _body(request)))

    @router.delete("/purchase_order_rows/{obj_id}")
    async def delete_row(request: Request, obj_id: str) -> Response:
        purchasing.delete_row(acc(request), _id(obj_id))
        return Response(status_code=204)

    @router.post("/purchase_order_receive")
    async def receive(request: Request) -> Response:
        purchasing.receive(acc(request), await _body(request))
        return Response(status_code=204)

    @router.post("/webhooks")
    async def create_webhook(request: Request) -> JSONResponse:
        body = await _body(request)
        validate(body, WEBHOOK_CREATE)
        a = acc(request)
        now = a.now()
        hook = {
            "id": a.webhooks.new_id(),
            "url": body["url"],
            "token": secrets.token_hex(16),
            "enabled": body.get("enabled", True),
            "description": body.get("description"),
            "subscribed_events": list(body["subscribed_events"]),
            "created_at": now,
            "updated_at": now,
        }
        return JSONResponse(a.webhooks.add(hook))

    @router.patch("/webhooks/{obj_id}")
    async def patch_webhook(request: Request, obj_id: str) -> JSONResponse:
        a = acc(request)
        hook = a.webhooks.get(_id(obj_id))
        if hook is None:
            raise KatanaError(404)
        body = await _body(request)
        validate(body, WEBHOOK_PATCH)
        hook.update(body, updated_at=a.now())
        return JSONResponse(hook)

    @router.delete("/webhooks/{obj_id}")
    async def delete_webhook(request: Request, obj_id: str) -> Response:
        a = acc(request)
        if a.webhooks.rows.pop(_id(obj_id), None) is None:
            raise KatanaError(404)
        return Response(status_code=204)

    return router


def soft_delete(a: Account, name: str, row: JSON) -> None:
    """Set ``deleted_at`` (and bump ``updated_at``) on a row and its embedded children."""
    now = a.now()
    row.update(deleted_at=now, updated_at=now)
    for child in row.get("variants", []) + row.get("sales_order_rows", []):
        child.update(deleted_at=now, updated_at=now)
    if name == "variants":
        parent = a.products.get(row.get("product_id")) or a.materials.get(row.get("material_id"))
        if parent is not None:
            parent["variants"] = [v for v in parent["variants"] if v["id"] != row["id"]]
