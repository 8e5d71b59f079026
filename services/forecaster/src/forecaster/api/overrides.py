"""Demand overrides over HTTP: planners write, viewers read; ETag / If-Match on changes."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response, status
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from forecaster.api.errors import domain_errors
from forecaster.api.schemas import OverrideIn, OverrideOut
from forecaster.handlers import overrides as use_cases
from platform_kit.auth import Principal, require
from platform_kit.db.uow import UnitOfWork
from platform_kit.http.deps import RuntimeDep, UowFactoryDep
from platform_kit.http.etag import check_if_match, etag_for
from platform_kit.http.idempotency import IdempotencyGuard
from platform_kit.http.problems import PROBLEM_RESPONSES, Problem

router = APIRouter(tags=["overrides"], responses=PROBLEM_RESPONSES)
Viewer = Annotated[Principal, require("viewer")]
Planner = Annotated[Principal, require("planner")]


def _input(body: OverrideIn) -> use_cases.OverrideInput:
    return use_cases.OverrideInput(
        body.kind, body.start_date, body.end_date, body.units_per_day, body.total_units, body.note
    )


def _out(row: Any, response: Response | None = None) -> OverrideOut:
    if response is not None:
        response.headers["ETag"] = etag_for(row["override_id"], row["version"])
    return OverrideOut(**dict(row))


@router.get(
    "/forecasts/{variant_id}/overrides",
    operation_id="listOverrides",
    response_model=list[OverrideOut],
)
async def list_overrides(
    principal: Viewer, uows: UowFactoryDep, variant_id: str, location_id: str | None = None
) -> list[OverrideOut]:
    """Overrides of a SKU (optionally one location), oldest first."""
    async with uows() as uow:
        rows = await use_cases.list_overrides(uow, principal.tenant_id, variant_id, location_id)
    return [_out(r) for r in rows]


@router.post(
    "/forecasts/{variant_id}/overrides",
    operation_id="createOverride",
    status_code=status.HTTP_201_CREATED,
    response_model=OverrideOut,
)
async def create_override(
    principal: Planner, runtime: RuntimeDep, request: Request, variant_id: str, body: OverrideIn
) -> Any:
    """Override demand for a period or at a fixed rate; the forecast is republished.
    Accepts ``Idempotency-Key``."""
    if not body.location_id:
        raise Problem(422, "Invalid override", "location_id is required")
    async with runtime.uow() as uow:
        guard = IdempotencyGuard.from_request(
            uow, principal.tenant_id, request, body.model_dump(mode="json")
        )
        stored = await guard.begin()
        if stored is not None:
            return JSONResponse(stored.body, status_code=stored.status_code)
        with domain_errors():
            row = await use_cases.create_override(
                uow,
                runtime.clock,
                principal.tenant_id,
                principal.user_id,
                variant_id,
                body.location_id,
                _input(body),
            )
        out = jsonable_encoder(_out(row))
        await guard.finish(201, out)
        await uow.commit()
    return JSONResponse(
        out, status_code=201, headers={"ETag": etag_for(row["override_id"], row["version"])}
    )


async def _current(uow: UnitOfWork, principal: Principal, override_id: uuid.UUID) -> Any:
    with domain_errors():
        return await use_cases.get_override(uow, principal.tenant_id, override_id)


@router.get("/overrides/{override_id}", operation_id="getOverride", response_model=OverrideOut)
async def get_override(
    principal: Viewer, uows: UowFactoryDep, override_id: uuid.UUID, response: Response
) -> OverrideOut:
    """One override, with its ETag."""
    async with uows() as uow:
        return _out(await _current(uow, principal, override_id), response)


@router.put("/overrides/{override_id}", operation_id="replaceOverride", response_model=OverrideOut)
async def replace_override(
    principal: Planner,
    runtime: RuntimeDep,
    request: Request,
    override_id: uuid.UUID,
    body: OverrideIn,
    response: Response,
) -> OverrideOut:
    """Change an override (send ``If-Match``); the forecast is republished."""
    async with runtime.uow() as uow:
        row = await _current(uow, principal, override_id)
        check_if_match(request, etag_for(override_id, row["version"]))
        with domain_errors():
            new = await use_cases.update_override(
                uow,
                runtime.clock,
                principal.tenant_id,
                principal.user_id,
                override_id,
                row["version"],
                _input(body),
            )
        await uow.commit()
    return _out(new, response)


@router.delete(
    "/overrides/{override_id}",
    operation_id="deleteOverride",
    status_code=status.HTTP_204_NO_CONTENT,
)
async def delete_override(
    principal: Planner, runtime: RuntimeDep, request: Request, override_id: uuid.UUID
) -> Response:
    """Remove an override (``If-Match`` optional); the forecast is republished."""
    async with runtime.uow() as uow:
        row = await _current(uow, principal, override_id)
        check_if_match(request, etag_for(override_id, row["version"]), required=False)
        with domain_errors():
            await use_cases.delete_override(
                uow, runtime.clock, principal.tenant_id, override_id, row["version"]
            )
        await uow.commit()
    return Response(status_code=204)
