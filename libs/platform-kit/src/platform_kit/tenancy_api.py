"""``GET /v1/tenant``: the caller's tenant as this service knows it (every service has it).

It doubles as the simplest proof of the trust boundary: no internal token → 401, and a
token only ever reads its own tenant.
"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import select

from platform_kit.auth import Principal, require
from platform_kit.http.deps import RuntimeDep
from platform_kit.http.problems import PROBLEM_RESPONSES, Problem


class TenantView(BaseModel):
    """A tenant's attributes as provisioned in this service."""

    tenant_id: str
    name: str
    time_zone: str | None
    base_currency: str | None
    primary_source: str | None
    status: str


router = APIRouter(prefix="/v1", tags=["tenant"], responses=PROBLEM_RESPONSES)


@router.get("/tenant", operation_id="get_current_tenant", response_model=TenantView)
async def get_current_tenant(
    runtime: RuntimeDep, principal: Principal = require("viewer")
) -> TenantView:
    """The calling tenant, once this service has provisioned it (404 before that)."""
    async with runtime.uow() as uow:
        table = uow.db.metadata.tables["tenant"]
        row = (
            await uow.session.execute(select(table).where(table.c.tenant_id == principal.tenant_id))
        ).one_or_none()
    if row is None or row.status != "active":
        raise Problem(404, "Tenant not provisioned", "this service has not seen the tenant yet")
    return TenantView(
        tenant_id=str(row.tenant_id),
        name=row.name,
        time_zone=row.time_zone,
        base_currency=row.base_currency,
        primary_source=row.primary_source,
        status=row.status,
    )
