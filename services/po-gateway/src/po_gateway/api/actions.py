"""Approval and sending over HTTP (approver role)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from platform_kit.http.deps import RuntimeDep
from platform_kit.http.idempotency import IdempotencyGuard
from platform_kit.http.problems import PROBLEM_RESPONSES
from po_gateway.api.deps import Approver, if_match, order_json, order_response
from po_gateway.api.errors import domain_errors
from po_gateway.api.schemas import OrderOut
from po_gateway.handlers import sending

router = APIRouter(
    prefix="/v1/purchase-orders", tags=["purchase-orders"], responses=PROBLEM_RESPONSES
)


@router.post("/{draft_id}/approve", operation_id="approvePurchaseOrder", response_model=OrderOut)
async def approve(
    principal: Approver,
    runtime: RuntimeDep,
    request: Request,
    draft_id: uuid.UUID,
    send: bool = False,
) -> Any:
    """Approve the reviewed version (``If-Match`` required); ``?send=true`` also sends it."""
    async with runtime.uow() as uow:
        with domain_errors():
            order = await sending.approve(
                uow,
                runtime.clock,
                principal.tenant_id,
                principal.user_id,
                draft_id,
                if_match(request, draft_id),
                and_send=send,
            )
    return order_response(order)


@router.post("/{draft_id}/send", operation_id="sendPurchaseOrder", response_model=OrderOut)
async def send(
    principal: Approver, runtime: RuntimeDep, request: Request, draft_id: uuid.UUID
) -> Any:
    """Send an approved order to the tenant's Katana or Xero, or retry a failed one.

    ``If-Match`` optional; ``Idempotency-Key`` returns the first answer to a repeat. A
    second send while one is in flight is 409: an order is sent at most once.
    """
    async with runtime.uow() as uow:
        guard = IdempotencyGuard.from_request(uow, principal.tenant_id, request, None)
        stored = await guard.begin()
        if stored is not None:
            return JSONResponse(stored.body, status_code=stored.status_code)
        with domain_errors():
            order = await sending.send(
                uow,
                runtime.clock,
                principal.tenant_id,
                principal.user_id,
                draft_id,
                if_match(request, draft_id, required=False),
                before_commit=lambda o: guard.finish(200, order_json(o)),
            )
    return order_response(order)


@router.post("/{draft_id}/reopen", operation_id="reopenPurchaseOrder", response_model=OrderOut)
async def reopen(
    principal: Approver, runtime: RuntimeDep, request: Request, draft_id: uuid.UUID
) -> Any:
    """Take an approved or failed order back to draft for editing (``If-Match`` required)."""
    async with runtime.uow() as uow:
        with domain_errors():
            order = await sending.reopen(
                uow,
                runtime.clock,
                principal.tenant_id,
                principal.user_id,
                draft_id,
                if_match(request, draft_id),
            )
    return order_response(order)
