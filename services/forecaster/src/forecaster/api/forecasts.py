"""Forecast list, explanations, runs and the recompute request."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from forecaster.adapters.forecasts import LIST_COLUMNS
from forecaster.api.errors import domain_errors
from forecaster.api.schemas import Explanation, ForecastSummary, RecomputeIn, RecomputeOut, RunOut
from forecaster.handlers import queries
from platform_kit.auth import Principal, require
from platform_kit.http.deps import UowFactoryDep
from platform_kit.http.paging import Page, PageDep, make_page, parse_sort
from platform_kit.http.problems import PROBLEM_RESPONSES

router = APIRouter(tags=["forecasts"], responses=PROBLEM_RESPONSES)
Viewer = Annotated[Principal, require("viewer")]
Planner = Annotated[Principal, require("planner")]


@router.get("/forecasts", operation_id="listForecasts", response_model=Page[ForecastSummary])
async def list_forecasts(
    principal: Viewer,
    uows: UowFactoryDep,
    page: PageDep,
    sort: Annotated[str | None, Query(description="e.g. -mean_28d,sku")] = None,
    demand_class: str | None = None,
    model: str | None = None,
    location_id: str | None = None,
    q: Annotated[str | None, Query(max_length=200, description="Search SKU, name, id")] = None,
) -> Page[ForecastSummary]:
    """Latest forecast per SKU x location (filter by class, model, location; search)."""
    keys = parse_sort(sort, list(LIST_COLUMNS), default="variant_id")
    async with uows() as uow:
        rows, total = await queries.list_forecasts(
            uow,
            principal.tenant_id,
            page,
            keys,
            demand_class=demand_class,
            model=model,
            location_id=location_id,
            q=q,
        )
    return make_page([ForecastSummary(**r) for r in rows], total, page)


@router.get("/forecasts/{variant_id}", operation_id="explainForecast", response_model=Explanation)
async def explain_forecast(
    principal: Viewer, uows: UowFactoryDep, variant_id: str, location_id: str | None = None
) -> Explanation:
    """How a SKU's forecast was calculated: model and parameters, candidates and their
    backtest errors, class, seasonal profile, trend, outliers, stock-outs, the daily
    history used, the forecast with its interval, and overrides next to it."""
    async with uows() as uow:
        with domain_errors():
            return await queries.explain_sku(uow, principal.tenant_id, variant_id, location_id)


@router.post(
    "/forecasts/recompute",
    operation_id="recomputeForecasts",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=RecomputeOut,
)
async def recompute(
    principal: Planner, uows: UowFactoryDep, body: RecomputeIn | None = None
) -> RecomputeOut:
    """Schedule a recompute now: the given SKUs, or all of them (full recompute)."""
    ids = body.variant_ids if body else []
    async with uows() as uow:
        await queries.request_recompute(uow, principal.tenant_id, ids)
        await uow.commit()
    return RecomputeOut(scope="partial" if ids else "full")


@router.get("/forecast-runs", operation_id="listForecastRuns", response_model=list[RunOut])
async def list_runs(
    principal: Viewer, uows: UowFactoryDep, limit: Annotated[int, Query(ge=1, le=500)] = 50
) -> list[RunOut]:
    """Recent forecast runs of the tenant, newest first."""
    async with uows() as uow:
        return [RunOut(**r) for r in await queries.list_runs(uow, principal.tenant_id, limit)]
