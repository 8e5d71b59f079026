"""Internal routes (internal token required, scoped to the caller's tenant)."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import select

from connector_xero.adapters.orm import load_job
from connector_xero.api.deps import XeroDeps
from connector_xero.domain.errors import NeedsReauthorisation, ProviderRejected
from connector_xero.handlers import connect
from connector_xero.handlers import job_queue as jobs
from platform_kit.auth import Principal, require
from platform_kit.http.problems import PROBLEM_RESPONSES, Problem

router = APIRouter(prefix="/v1/xero", tags=["xero"], responses=PROBLEM_RESPONSES)


class ChooseOrganisation(BaseModel):
    """The organisation of a grant to connect."""

    grant_id: uuid.UUID
    xero_tenant_id: str


class LoadRequest(BaseModel):
    """ "Load from Xero": full (first load), incremental or refresh."""

    mode: Literal["full", "incremental", "refresh"] = "incremental"


@router.post("/authorizations", operation_id="startXeroAuthorization", status_code=201)
async def start_authorization(deps: XeroDeps, principal: Principal = require("admin")) -> Any:
    """Begin connecting: returns the Xero consent URL (state + PKCE kept server-side)."""
    return await connect.start_authorization(deps, principal.tenant_id, principal.user_id)


@router.get("/grants/{grant_id}/organisations", operation_id="listGrantOrganisations")
async def grant_organisations(
    grant_id: uuid.UUID, deps: XeroDeps, principal: Principal = require("admin")
) -> Any:
    """Organisations the user authorised in one consent (to choose from)."""
    orgs = await connect.grant_organisations(deps, principal.tenant_id, grant_id)
    if orgs is None:
        raise Problem(404, "Not found", "no such grant")
    return {"items": orgs}


@router.post("/connections", operation_id="createXeroConnection", status_code=201)
async def choose_organisation(
    body: ChooseOrganisation, deps: XeroDeps, principal: Principal = require("admin")
) -> Any:
    """Connect one organisation of a grant (publishes "connection established")."""
    try:
        connection_id = await connect.choose_organisation(
            deps, principal.tenant_id, body.grant_id, body.xero_tenant_id
        )
    except NeedsReauthorisation as exc:
        raise Problem(409, "Needs re-authorisation", str(exc)) from exc
    except ProviderRejected as exc:
        raise Problem(502, "Xero refused", str(exc)) from exc
    if connection_id is None:
        raise Problem(404, "Not found", "the grant does not cover that organisation")
    return (await connect.list_connections(deps, principal.tenant_id, connection_id))[0]


@router.get("/connections", operation_id="listXeroConnections")
async def list_connections(deps: XeroDeps, principal: Principal = require("viewer")) -> Any:
    """The tenant's Xero connections and their status."""
    items = await connect.list_connections(deps, principal.tenant_id)
    return {"items": items, "total": len(items), "page": 1, "page_size": len(items)}


@router.get("/connections/{connection_id}", operation_id="getXeroConnection")
async def get_connection(
    connection_id: uuid.UUID, deps: XeroDeps, principal: Principal = require("viewer")
) -> Any:
    """One connection (``status`` is ``needs_reauthorisation`` after a revoked grant)."""
    items = await connect.list_connections(deps, principal.tenant_id, connection_id)
    if not items:
        raise Problem(404, "Not found", "no such connection")
    return items[0]


@router.delete("/connections/{connection_id}", operation_id="deleteXeroConnection", status_code=204)
async def delete_connection(
    connection_id: uuid.UUID, deps: XeroDeps, principal: Principal = require("admin")
) -> None:
    """Disconnect (revokes the grant when it was its last organisation)."""
    if not await connect.disconnect(deps, principal.tenant_id, connection_id):
        raise Problem(404, "Not found", "no such connection")


@router.post("/connections/{connection_id}/loads", operation_id="startXeroLoad", status_code=202)
async def start_load(
    connection_id: uuid.UUID,
    body: LoadRequest,
    deps: XeroDeps,
    principal: Principal = require("planner"),
) -> Any:
    """ "Load from Xero": queue a load (or return the one already running)."""
    if not await connect.list_connections(deps, principal.tenant_id, connection_id):
        raise Problem(404, "Not found", "no such connection")
    job_id, created = await jobs.enqueue(deps, principal.tenant_id, connection_id, body.mode)
    return {"job_id": job_id, "created": created}


@router.get("/loads/{job_id}", operation_id="getXeroLoad")
async def get_load(
    job_id: uuid.UUID, deps: XeroDeps, principal: Principal = require("viewer")
) -> Any:
    """A load's status, per-entity progress (pages, records) and errors."""
    async with deps.db.sessions() as session:
        row = (
            await session.execute(
                select(load_job).where(
                    load_job.c.job_id == job_id, load_job.c.tenant_id == principal.tenant_id
                )
            )
        ).one_or_none()
    if row is None:
        raise Problem(404, "Not found", "no such load")
    return {
        "job_id": row.job_id,
        "connection_id": row.connection_id,
        "mode": row.mode,
        "trigger": row.trigger,
        "status": row.status,
        "progress": row.progress,
        "errors": row.errors,
        "attempts": row.attempts,
        "started_at": row.started_at,
        "finished_at": row.finished_at,
    }


@router.post("/loads/{job_id}/cancel", operation_id="cancelXeroLoad", status_code=202)
async def cancel_load(
    job_id: uuid.UUID, deps: XeroDeps, principal: Principal = require("planner")
) -> Any:
    """Cancel a load that has not finished (a running one stops after its current page)."""
    if not await jobs.cancel(deps, principal.tenant_id, job_id):
        raise Problem(409, "Not cancellable", "no such active load")
    return {"job_id": job_id, "status": "cancelled"}
