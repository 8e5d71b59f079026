"""Order plan routes: page, CSV, one row with its arithmetic, effective settings,
dashboard, the purchase rows po-gateway reads, and a manual re-plan."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from planner.adapters.plans import SORTABLE, PlanFilter
from planner.api.errors import to_problem
from planner.api.schemas import (
    Dashboard,
    EffectiveView,
    PlanPage,
    PlanPageInfo,
    PlanRow,
    PurchaseRow,
    PurchaseRows,
)
from planner.domain.errors import PlannerError
from planner.handlers import queries
from planner.handlers.ingest import request_replan
from planner.settings import Settings
from platform_kit.auth import Principal, require
from platform_kit.http.deps import RuntimeDep
from platform_kit.http.paging import MAX_PAGE_SIZE, PageParams, parse_sort
from platform_kit.http.problems import PROBLEM_RESPONSES
from platform_kit.service import Runtime, get_runtime

router = APIRouter(prefix="/v1/plan", tags=["plan"], responses=PROBLEM_RESPONSES)
DEFAULT_SORT = "latest_order_date,days_until_stockout"


async def _filter(
    supplier_id: Annotated[str | None, Query()] = None,
    category: Annotated[str | None, Query()] = None,
    location_id: Annotated[str | None, Query()] = None,
    status: Annotated[list[str] | None, Query()] = None,
    action: Annotated[str | None, Query(pattern="^(buy|make|none)$")] = None,
    needs_order: Annotated[bool | None, Query()] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> PlanFilter:
    return PlanFilter(
        supplier_id, category, location_id, tuple(status or ()), action, q, needs_order
    )


FilterDep = Annotated[PlanFilter, Depends(_filter)]


async def _runtime(request: Request) -> Runtime:
    """``RuntimeDep`` as a coroutine: FastAPI runs sync dependencies in a worker thread,
    and each hop costs the page route scheduling delays on a loaded machine."""
    return get_runtime(request)


async def _page(
    page: Annotated[int, Query(ge=1, le=1_000_000, description="1-based page number")] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Rows per page")] = 50,
) -> PageParams:
    """``PageDep`` as a coroutine (same parameters and limits), for the same reason."""
    return PageParams(page, page_size)


SortQuery = Annotated[str | None, Query(description=f"Fields: {', '.join(SORTABLE)}; -desc")]


@router.get("", operation_id="list_plan_rows", response_model=PlanPage)
async def list_plan_rows(
    runtime: Annotated[Runtime, Depends(_runtime)],
    f: FilterDep,
    page: Annotated[PageParams, Depends(_page)],
    sort: SortQuery = None,
    principal: Principal = require("viewer"),
) -> Response:
    """The order plan: filter, sort (``sort=-excess_value``) and page. Rows carry no
    explanation; ``/rows/{variant_id}/{location_id}`` and the CSV do."""
    keys = parse_sort(sort, SORTABLE, DEFAULT_SORT)
    async with runtime.uow() as uow:
        items, info = await queries.plan_page(uow, principal.tenant_id, f, keys, page)
    head = PlanPageInfo.model_validate(info).model_dump_json()
    return Response(f'{{"items":{items},{head[1:]}', media_type="application/json")


@router.get("/export.csv", operation_id="export_plan_csv", response_class=Response)
async def export_plan_csv(
    runtime: RuntimeDep,
    f: FilterDep,
    sort: SortQuery = None,
    principal: Principal = require("viewer"),
) -> Response:
    """The filtered plan as CSV (cells starting with = + - @ are neutralised)."""
    keys = parse_sort(sort, SORTABLE, DEFAULT_SORT)
    async with runtime.uow() as uow:
        text = await queries.plan_csv(uow, principal.tenant_id, f, keys)
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="order-plan.csv"'},
    )


@router.get("/dashboard", operation_id="get_plan_dashboard", response_model=Dashboard)
async def get_plan_dashboard(
    runtime: RuntimeDep, principal: Principal = require("viewer")
) -> Dashboard:
    """Under/over-stock counts and values, inventory value, service level, urgent items."""
    settings = runtime.settings
    top = settings.dashboard_top if isinstance(settings, Settings) else 10
    async with runtime.uow() as uow:
        return Dashboard.model_validate(await queries.dashboard(uow, principal.tenant_id, top))


@router.get("/purchase-rows", operation_id="list_purchase_rows", response_model=PurchaseRows)
async def list_purchase_rows(
    runtime: RuntimeDep,
    supplier_id: str | None = None,
    location_id: str | None = None,
    principal: Principal = require("viewer"),
) -> PurchaseRows:
    """Rows suggesting a purchase, for po-gateway's drafts (stable; see README)."""
    async with runtime.uow() as uow:
        rows, meta = await queries.purchase_rows(uow, principal.tenant_id, supplier_id, location_id)
    return PurchaseRows(
        plan_version=meta.plan_version if meta else 0,
        as_of=meta.as_of if meta else None,
        items=[PurchaseRow.model_validate(r) for r in rows],
    )


@router.get("/rows/{variant_id}/{location_id}", operation_id="get_plan_row", response_model=PlanRow)
async def get_plan_row(
    runtime: RuntimeDep,
    variant_id: str,
    location_id: str,
    principal: Principal = require("viewer"),
) -> PlanRow:
    """One SKU × location with its arithmetic in plain words."""
    try:
        async with runtime.uow() as uow:
            row = await queries.plan_row(uow, principal.tenant_id, variant_id, location_id)
    except PlannerError as exc:
        raise to_problem(exc) from exc
    return PlanRow.model_validate(row)


@router.get(
    "/rows/{variant_id}/{location_id}/settings",
    operation_id="get_effective_settings",
    response_model=EffectiveView,
)
async def get_effective_settings(
    runtime: RuntimeDep,
    variant_id: str,
    location_id: str,
    principal: Principal = require("viewer"),
) -> EffectiveView:
    """Settings in effect with their sources, and the learned lead time beside them."""
    try:
        async with runtime.uow() as uow:
            view = await queries.effective_settings(
                uow, principal.tenant_id, variant_id, location_id
            )
    except PlannerError as exc:
        raise to_problem(exc) from exc
    return EffectiveView.model_validate(view)


@router.post("/recompute", operation_id="request_replan", status_code=202)
async def request_recompute(
    runtime: RuntimeDep, principal: Principal = require("planner")
) -> dict[str, str]:
    """Ask for a re-plan from the stored forecasts (debounced)."""
    async with runtime.uow() as uow:
        await request_replan(uow, principal.tenant_id)
    return {"status": "accepted"}
