"""Purchase-order drafts over HTTP: create from the plan, list, read, edit, delete."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from platform_kit.http.deps import RuntimeDep, UowFactoryDep
from platform_kit.http.idempotency import IdempotencyGuard
from platform_kit.http.paging import Page, PageDep, make_page, parse_sort
from platform_kit.http.problems import PROBLEM_RESPONSES
from po_gateway.api.deps import Planner, Viewer, if_match, order_json, order_response
from po_gateway.api.errors import domain_errors
from po_gateway.api.schemas import (
    AuditEntry,
    DraftsIn,
    DraftsOut,
    LineIn,
    LinePatch,
    OrderOut,
    OrderPatch,
)
from po_gateway.domain.drafting import Selection
from po_gateway.handlers import drafts
from po_gateway.settings import Settings

router = APIRouter(
    prefix="/v1/purchase-orders", tags=["purchase-orders"], responses=PROBLEM_RESPONSES
)
SORTS = list(drafts.repo.SORT_COLUMNS)


@router.post(
    "/drafts",
    operation_id="createPurchaseOrderDrafts",
    status_code=status.HTTP_201_CREATED,
    response_model=DraftsOut,
)
async def create_drafts(
    principal: Planner, runtime: RuntimeDep, request: Request, body: DraftsIn
) -> Any:
    """Draft one PO per supplier × receiving location from the plan: every row needing an
    order (empty body), a filter, or chosen ``lines``. Accepts ``Idempotency-Key``."""
    settings = runtime.settings
    assert isinstance(settings, Settings)
    selection = Selection(
        supplier_id=body.supplier_id,
        location_id=body.location_id,
        lines=tuple((ref.variant_id, ref.location_id) for ref in body.lines),
    )
    async with runtime.uow() as uow:
        guard = IdempotencyGuard.from_request(
            uow, principal.tenant_id, request, body.model_dump(mode="json")
        )
        stored = await guard.begin()
        if stored is not None:
            return JSONResponse(stored.body, status_code=stored.status_code)
        with domain_errors():
            result = await drafts.create_drafts(
                uow,
                runtime.clock,
                tenant_id=principal.tenant_id,
                user_id=principal.user_id,
                token=principal.token,
                planner_url=settings.planner_url,
                planner_timeout_s=settings.planner_timeout_s,
                request=drafts.DraftRequest(selection, body.fx_rates, body.notes),
            )
        out = jsonable_encoder(DraftsOut.model_validate(result))
        await guard.finish(201, out)
        await uow.commit()
    return JSONResponse(out, status_code=201)


@router.get("", operation_id="listPurchaseOrders", response_model=Page[OrderOut])
async def list_orders(
    principal: Viewer,
    uows: UowFactoryDep,
    page: PageDep,
    order_status: Annotated[
        list[str] | None, Query(alias="status", description="draft, approved, sending, failed")
    ] = None,
    supplier_id: str | None = None,
    location_id: str | None = None,
    q: str | None = None,
    sort: str | None = None,
) -> Page[OrderOut]:
    """Orders not yet sent (or the given statuses), newest first by default."""
    keys = parse_sort(sort, SORTS, "-created_at")
    async with uows() as uow:
        items, total = await drafts.list_orders(
            uow,
            principal.tenant_id,
            page,
            keys,
            statuses=order_status,
            supplier_id=supplier_id,
            location_id=location_id,
            q=q,
        )
    return make_page([OrderOut.model_validate(i) for i in items], total, page)


@router.get("/sent", operation_id="listSentPurchaseOrders", response_model=Page[OrderOut])
async def list_sent(
    principal: Viewer,
    uows: UowFactoryDep,
    page: PageDep,
    supplier_id: str | None = None,
    location_id: str | None = None,
    q: str | None = None,
    sort: str | None = None,
) -> Page[OrderOut]:
    """Sent history: orders the provider accepted, with its PO id and number."""
    keys = parse_sort(sort, SORTS, "-submitted_at")
    async with uows() as uow:
        items, total = await drafts.list_orders(
            uow,
            principal.tenant_id,
            page,
            keys,
            statuses=["sent"],
            supplier_id=supplier_id,
            location_id=location_id,
            q=q,
        )
    return make_page([OrderOut.model_validate(i) for i in items], total, page)


@router.get("/{draft_id}", operation_id="getPurchaseOrder", response_model=OrderOut)
async def get_order(principal: Viewer, uows: UowFactoryDep, draft_id: uuid.UUID) -> Any:
    """One order with lines, totals, attempts and its ETag."""
    async with uows() as uow:
        with domain_errors():
            order = await drafts.get_order(uow, principal.tenant_id, draft_id)
    return order_response(order)


@router.get(
    "/{draft_id}/audit", operation_id="getPurchaseOrderAudit", response_model=list[AuditEntry]
)
async def get_audit(
    principal: Viewer, uows: UowFactoryDep, draft_id: uuid.UUID
) -> list[AuditEntry]:
    """Who created, edited, approved and sent the order, and when (oldest first)."""
    async with uows() as uow:
        with domain_errors():
            rows = await drafts.audit_trail(uow, principal.tenant_id, draft_id)
    return [AuditEntry.model_validate(r) for r in rows]


@router.patch("/{draft_id}", operation_id="updatePurchaseOrder", response_model=OrderOut)
async def update_order(
    principal: Planner, runtime: RuntimeDep, request: Request, draft_id: uuid.UUID, body: OrderPatch
) -> Any:
    """Change arrival date, notes or FX rate of a draft (``If-Match`` required)."""
    async with runtime.uow() as uow:
        with domain_errors():
            order = await drafts.edit_header(
                uow,
                runtime.clock,
                principal.tenant_id,
                principal.user_id,
                draft_id,
                body.model_dump(exclude_unset=True),
                if_match(request, draft_id),
            )
    return order_response(order)


@router.delete("/{draft_id}", operation_id="deletePurchaseOrder", status_code=204)
async def delete_order(
    principal: Planner, runtime: RuntimeDep, request: Request, draft_id: uuid.UUID
) -> Response:
    """Delete a draft or approved order (``If-Match`` required)."""
    async with runtime.uow() as uow:
        with domain_errors():
            await drafts.delete_order(
                uow,
                runtime.clock,
                principal.tenant_id,
                principal.user_id,
                draft_id,
                if_match(request, draft_id),
            )
    return Response(status_code=204)


@router.post(
    "/{draft_id}/lines",
    operation_id="addPurchaseOrderLine",
    status_code=201,
    response_model=OrderOut,
)
async def add_line(
    principal: Planner, runtime: RuntimeDep, request: Request, draft_id: uuid.UUID, body: LineIn
) -> Any:
    """Add a line to a draft (``If-Match`` required; accepts ``Idempotency-Key``)."""
    async with runtime.uow() as uow:
        guard = IdempotencyGuard.from_request(
            uow, principal.tenant_id, request, body.model_dump(mode="json")
        )
        stored = await guard.begin()
        if stored is not None:
            return JSONResponse(stored.body, status_code=stored.status_code)
        with domain_errors():
            order = await drafts.add_line(
                uow,
                runtime.clock,
                principal.tenant_id,
                principal.user_id,
                draft_id,
                body.model_dump(),
                if_match(request, draft_id),
                before_commit=lambda order: guard.finish(201, order_json(order)),
            )
    return order_response(order, 201)


@router.patch(
    "/{draft_id}/lines/{line_id}", operation_id="updatePurchaseOrderLine", response_model=OrderOut
)
async def update_line(
    principal: Planner,
    runtime: RuntimeDep,
    request: Request,
    draft_id: uuid.UUID,
    line_id: uuid.UUID,
    body: LinePatch,
) -> Any:
    """Change a line's quantity or unit price (``If-Match`` required)."""
    async with runtime.uow() as uow:
        with domain_errors():
            order = await drafts.edit_line(
                uow,
                runtime.clock,
                principal.tenant_id,
                principal.user_id,
                draft_id,
                line_id,
                body.model_dump(exclude_unset=True),
                if_match(request, draft_id),
            )
    return order_response(order)


@router.delete(
    "/{draft_id}/lines/{line_id}", operation_id="deletePurchaseOrderLine", response_model=OrderOut
)
async def delete_line(
    principal: Planner,
    runtime: RuntimeDep,
    request: Request,
    draft_id: uuid.UUID,
    line_id: uuid.UUID,
) -> Any:
    """Remove a line from a draft (``If-Match`` required)."""
    async with runtime.uow() as uow:
        with domain_errors():
            order = await drafts.remove_line(
                uow,
                runtime.clock,
                principal.tenant_id,
                principal.user_id,
                draft_id,
                line_id,
                if_match(request, draft_id),
            )
    return order_response(order)
