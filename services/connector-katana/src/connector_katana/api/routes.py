"""Internal routes (internal token required; every query scoped by the token's tenant)."""

from __future__ import annotations

import math
import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from connector_katana.api.schemas import (
    ConnectionOut,
    ConnectRequest,
    JobOut,
    LoadRequest,
    RepublishOut,
)
from connector_katana.handlers import connections, jobs, republish
from connector_katana.handlers.deps import Deps
from platform_kit.auth import Principal, require
from platform_kit.http.paging import Page, PageDep
from platform_kit.http.problems import PROBLEM_RESPONSES

router = APIRouter(tags=["katana"], responses=PROBLEM_RESPONSES)


def get_deps(request: Request) -> Deps:
    """The runtime's connector dependencies."""
    return request.app.state.runtime.extras["deps"]


DepsDep = Annotated[Deps, Depends(get_deps)]
Viewer = Annotated[Principal, require("viewer")]
Planner = Annotated[Principal, require("planner")]
Admin = Annotated[Principal, require("admin")]


@router.post(
    "/connections", status_code=201, operation_id="connectKatana", response_model=ConnectionOut
)
async def connect(body: ConnectRequest, principal: Admin, deps: DepsDep) -> dict[str, object]:
    """Connect a Katana account: the key is verified with ``GET /factory`` first."""
    return await connections.connect(deps, principal.tenant_id, body.api_key)


@router.get(
    "/connections", operation_id="listKatanaConnections", response_model=list[ConnectionOut]
)
async def list_connections(principal: Viewer, deps: DepsDep) -> list[dict[str, object]]:
    """The tenant's Katana connections."""
    return await connections.list_connections(deps, principal.tenant_id)


@router.get(
    "/connections/{connection_id}", operation_id="getKatanaConnection", response_model=ConnectionOut
)
async def get_connection(
    connection_id: uuid.UUID, principal: Viewer, deps: DepsDep
) -> dict[str, object]:
    """One connection."""
    return await connections.get_connection(deps, principal.tenant_id, connection_id)


@router.delete("/connections/{connection_id}", status_code=204, operation_id="disconnectKatana")
async def disconnect(connection_id: uuid.UUID, principal: Admin, deps: DepsDep) -> Response:
    """Disconnect: stop loads, remove the webhook, forget the key."""
    await connections.disconnect(deps, principal.tenant_id, connection_id)
    return Response(status_code=204)


@router.post(
    "/connections/{connection_id}/loads",
    status_code=202,
    operation_id="startKatanaLoad",
    response_model=JobOut,
)
async def start_load(
    connection_id: uuid.UUID, body: LoadRequest, principal: Planner, deps: DepsDep
) -> dict[str, object]:
    """Queue a load job ("Load from Katana" / "Refresh"); progress at ``/loads/{job_id}``."""
    return await jobs.start_load(
        deps,
        principal.tenant_id,
        connection_id,
        mode=body.mode,
        entities=list(body.entities) if body.entities else None,
    )


@router.get(
    "/connections/{connection_id}/loads",
    operation_id="listKatanaLoads",
    response_model=Page[JobOut],
)
async def list_loads(
    connection_id: uuid.UUID, principal: Viewer, deps: DepsDep, paging: PageDep
) -> Page[JobOut]:
    """The connection's load jobs, newest first."""
    items, total = await jobs.list_jobs(
        deps, principal.tenant_id, connection_id, paging.page_size, paging.offset
    )
    return Page[JobOut](
        items=[JobOut.model_validate(i) for i in items],
        page=paging.page,
        page_size=paging.page_size,
        total=total,
        total_pages=max(1, math.ceil(total / paging.page_size)),
    )


@router.get("/loads/{job_id}", operation_id="getKatanaLoad", response_model=JobOut)
async def get_load(job_id: uuid.UUID, principal: Viewer, deps: DepsDep) -> dict[str, object]:
    """A load job's progress: entity, pages done / total, records, skipped with reasons."""
    return await jobs.get_job(deps, principal.tenant_id, job_id)


@router.post(
    "/connections/{connection_id}/republish",
    status_code=202,
    operation_id="republishKatanaSnapshot",
    response_model=RepublishOut,
)
async def republish_snapshot(
    connection_id: uuid.UUID, principal: Admin, deps: DepsDep
) -> dict[str, object]:
    """Publish the normalised snapshot again (rebuild downstream without calling Katana)."""
    return await republish.republish(deps, principal.tenant_id, connection_id)
