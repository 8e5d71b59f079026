"""Create/update purchase orders: ``PUT``/``POST /PurchaseOrders`` with idempotency keys."""

from __future__ import annotations

import asyncio
import hashlib
import json
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from xero_sandbox.envelope import envelope, not_found, org_of, param, rendered
from xero_sandbox.errors import DropConnection, api_exception, validation_exception
from xero_sandbox.faults import Faults
from xero_sandbox.po_validation import ElementErrors, build, echo
from xero_sandbox.runtime import Sandbox, sandbox_of
from xero_sandbox.store import Org, Record

router = APIRouter(prefix="/api.xro/2.0")


def _fingerprint(request: Request, body: bytes) -> str:
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    except ValueError:
        canonical = body
    query = "&".join(sorted(f"{k}={v}" for k, v in request.query_params.items()))
    raw = f"{request.method} {request.url.path}?{query}\n".encode() + canonical
    return hashlib.sha256(raw).hexdigest()


def _elements(payload: Any) -> list[Any] | None:
    if isinstance(payload, dict) and isinstance(payload.get("PurchaseOrders"), list):
        return list(payload["PurchaseOrders"])
    if isinstance(payload, dict) and "PurchaseOrders" not in payload:
        return [payload]
    return None


def _apply(
    request: Request, sandbox: Sandbox, org: Org, elements: list[Any], mode: str, key: str | None
) -> tuple[JSONResponse, int]:
    """Validate and store each element; returns the response and how many POs were created."""
    now = sandbox.clock.now()
    summarize = (param(request, "summarizeErrors") or "true").lower() != "false"
    results: list[tuple[Record | None, Record | None]] = []
    created = 0
    for element in elements:
        existing = None
        wanted = key or (element.get("PurchaseOrderID") if isinstance(element, dict) else None)
        if mode != "create" and wanted:
            existing = org.find("PurchaseOrders", str(wanted))
            if existing is None:
                results.append((None, echo(element, ["PurchaseOrder could not be found"])))
                continue
        elif (
            mode == "create"
            and isinstance(element, dict)
            and element.get("PurchaseOrderID")
            and org.find("PurchaseOrders", str(element["PurchaseOrderID"])) is not None
        ):
            results.append(
                (None, echo(element, ["PurchaseOrderID already exists; use POST to update"]))
            )
            continue
        try:
            record = build(org, element, now, existing)
        except ElementErrors as exc:
            po_id = existing["PurchaseOrderID"] if existing else None
            results.append((None, echo(element, exc.messages, po_id)))
            continue
        org.add("PurchaseOrders", record)
        if existing is None:
            created += 1
            sandbox.created_pos.append(
                {
                    "tenantId": org.tenant_id,
                    **rendered(request, "PurchaseOrders", [record], True)[0],
                }
            )
        results.append((record, None))
    failures = [failure for _, failure in results if failure is not None]
    if summarize and failures:
        return validation_exception(failures), created
    rows: list[Record] = []
    for stored, failure in results:
        if stored is not None:
            row = rendered(request, "PurchaseOrders", [stored], True)[0]
            row["StatusAttributeString"] = "OK"
            rows.append(row)
        elif failure is not None:
            rows.append(failure)
    return envelope(request, "PurchaseOrders", rows), created


async def _handle(request: Request, mode: str, key: str | None = None) -> JSONResponse:
    sandbox, org = sandbox_of(request), org_of(request)
    body = await request.body()
    idem_key = request.headers.get("idempotency-key")
    slot = None
    if idem_key is not None:
        if len(idem_key) > 128 or not idem_key.strip():
            return api_exception("Idempotency-Key must be 1 to 128 characters")
        slot = (org.tenant_id, request.state.access.grant.client_id, idem_key)
        fingerprint = _fingerprint(request, body)
        stored = sandbox.idempotency.get(slot)
        window = timedelta(seconds=sandbox.config.timings.idempotency_window)
        if stored is not None and sandbox.clock.now() - stored["at"] < window:
            if stored["fingerprint"] != fingerprint:
                return api_exception(
                    f"Idempotency-Key '{idem_key}' is used with a different request"
                )
            return JSONResponse(stored["body"], status_code=stored["status"])
    if key is not None and org.find("PurchaseOrders", key) is None:
        return not_found()
    try:
        payload = json.loads(body or b"null")
    except ValueError:
        return api_exception("The request body is not valid JSON", 17, "PostDataInvalidException")
    elements = _elements(payload)
    if elements is None:
        return api_exception("Expected a PurchaseOrders collection", 17, "PostDataInvalidException")
    response, created = _apply(request, sandbox, org, elements, mode, key)
    if slot is not None:
        sandbox.idempotency[slot] = {
            "fingerprint": _fingerprint(request, body),
            "at": sandbox.clock.now(),
            "status": response.status_code,
            "body": json.loads(bytes(response.body)),
        }
    if created:
        fire, sandbox.faults.timeout_after_po_create = Faults.take(
            sandbox.faults.timeout_after_po_create
        )
        if fire:
            await asyncio.sleep(sandbox.faults.timeout_hang_seconds)
            raise DropConnection
    return response


@router.put("/PurchaseOrders")
async def create_purchase_orders(request: Request) -> JSONResponse:
    """Create purchase orders (create only)."""
    return await _handle(request, "create")


@router.post("/PurchaseOrders")
async def update_or_create_purchase_orders(request: Request) -> JSONResponse:
    """Update elements carrying a PurchaseOrderID; create the others."""
    return await _handle(request, "upsert")


@router.post("/PurchaseOrders/{key}")
async def update_purchase_order(request: Request, key: str) -> JSONResponse:
    """Update one purchase order (by id or number)."""
    return await _handle(request, "update", key)
