"""Tenant administration: members and roles, invitations, API keys, partner clients and
the tenant itself (deletion purges everything everywhere)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Response

from api_gateway.api.deps import ContextDep, current_identity, require_role
from api_gateway.api.errors import to_problem
from api_gateway.api.schemas import (
    ApiKeyIn,
    ApiKeyOut,
    ClientIn,
    InvitationIn,
    InvitationOut,
    MemberOut,
    NewApiKeyOut,
    NewClientOut,
    RoleIn,
    TenantOut,
    TenantPatch,
)
from api_gateway.domain.errors import IdentityError
from api_gateway.domain.model import Identity
from api_gateway.handlers import members, tenants
from platform_kit.http.deps import RuntimeDep
from platform_kit.http.problems import PROBLEM_RESPONSES, Problem

router = APIRouter(prefix="/v1", tags=["team"], responses=PROBLEM_RESPONSES)
Caller = Annotated[Identity, Depends(current_identity)]


@router.get("/members", operation_id="list_members", response_model=list[MemberOut])
async def list_members(
    runtime: RuntimeDep, identity: Identity = require_role("viewer")
) -> list[MemberOut]:
    """Members of the caller's tenant with their roles."""
    async with runtime.uow() as uow:
        rows = await members.list_members(uow, identity)
    return [MemberOut.model_validate(row, from_attributes=True) for row in rows]


@router.post(
    "/invitations", operation_id="invite_member", status_code=201, response_model=InvitationOut
)
async def invite(
    body: InvitationIn,
    runtime: RuntimeDep,
    ctx: ContextDep,
    identity: Identity = require_role("admin"),
) -> InvitationOut:
    """Mail an invitation to join the tenant with a role (admin)."""
    try:
        async with runtime.uow() as uow:
            invitation_id = await members.invite(
                uow, ctx, identity, email=body.email, role=body.role
            )
    except IdentityError as exc:
        raise to_problem(exc) from exc
    return InvitationOut(invitation_id=invitation_id)


@router.put("/members/{user_id}/role", operation_id="change_member_role", status_code=204)
async def change_role(
    user_id: uuid.UUID,
    body: RoleIn,
    runtime: RuntimeDep,
    identity: Identity = require_role("admin"),
) -> Response:
    """Change a member's role (admin); their tokens are revoked so it applies at once."""
    try:
        async with runtime.uow() as uow:
            await members.change_role(uow, identity, user_id, body.role)
    except IdentityError as exc:
        raise to_problem(exc) from exc
    return Response(status_code=204)


@router.delete("/members/{user_id}", operation_id="remove_member", status_code=204)
async def remove_member(
    user_id: uuid.UUID, runtime: RuntimeDep, identity: Identity = require_role("admin")
) -> Response:
    """Remove a member from the tenant (admin)."""
    try:
        async with runtime.uow() as uow:
            await members.remove_member(uow, identity, user_id)
    except IdentityError as exc:
        raise to_problem(exc) from exc
    return Response(status_code=204)


@router.post(
    "/api-keys", operation_id="create_api_key", status_code=201, response_model=NewApiKeyOut
)
async def create_api_key(body: ApiKeyIn, runtime: RuntimeDep, identity: Caller) -> NewApiKeyOut:
    """A personal API key acting as the caller in this tenant; the key is shown only here."""
    if identity.via == "api_key":
        raise Problem(403, "Forbidden", "an API key cannot create API keys")
    try:
        async with runtime.uow() as uow:
            created = await members.create_api_key(uow, identity, body.name)
    except IdentityError as exc:
        raise to_problem(exc) from exc
    return NewApiKeyOut(key_id=created.key_id, prefix=created.prefix, key=created.key)


@router.get("/api-keys", operation_id="list_api_keys", response_model=list[ApiKeyOut])
async def list_api_keys(runtime: RuntimeDep, identity: Caller) -> list[ApiKeyOut]:
    """The caller's API keys (prefix and dates only, never the key)."""
    async with runtime.uow() as uow:
        rows = await members.list_api_keys(uow, identity)
    return [ApiKeyOut.model_validate(row, from_attributes=True) for row in rows]


@router.delete("/api-keys/{key_id}", operation_id="revoke_api_key", status_code=204)
async def revoke_api_key(key_id: uuid.UUID, runtime: RuntimeDep, identity: Caller) -> Response:
    """Revoke one of the caller's API keys."""
    try:
        async with runtime.uow() as uow:
            await members.revoke_api_key(uow, identity, key_id)
    except IdentityError as exc:
        raise to_problem(exc) from exc
    return Response(status_code=204)


@router.post(
    "/oauth-clients",
    operation_id="create_oauth_client",
    status_code=201,
    response_model=NewClientOut,
)
async def create_client(
    body: ClientIn, runtime: RuntimeDep, identity: Identity = require_role("admin")
) -> NewClientOut:
    """Register a partner app (client credentials) with a role (admin); secret shown once."""
    try:
        async with runtime.uow() as uow:
            created = await members.create_partner_client(
                uow, identity, name=body.name, role=body.role
            )
    except IdentityError as exc:
        raise to_problem(exc) from exc
    return NewClientOut(
        client_id=created.client_id, client_secret=created.client_secret, roles=created.roles
    )


@router.delete("/oauth-clients/{client_id}", operation_id="revoke_oauth_client", status_code=204)
async def revoke_client(
    client_id: str, runtime: RuntimeDep, identity: Identity = require_role("admin")
) -> Response:
    """Revoke a partner app and its access tokens (admin)."""
    try:
        async with runtime.uow() as uow:
            await members.revoke_partner_client(uow, identity, client_id)
    except IdentityError as exc:
        raise to_problem(exc) from exc
    return Response(status_code=204)


@router.get("/tenants/current", operation_id="get_own_tenant", response_model=TenantOut)
async def get_tenant(runtime: RuntimeDep, identity: Identity = require_role("viewer")) -> TenantOut:
    """The caller's tenant and its attributes."""
    async with runtime.uow() as uow:
        row = await tenants.get_tenant(uow, identity.tenant_id)
    if row is None:
        raise Problem(404, "Not found", "tenant not found")
    return TenantOut.model_validate(row, from_attributes=True)


@router.patch("/tenants/current", operation_id="update_own_tenant", response_model=TenantOut)
async def update_tenant(
    body: TenantPatch, runtime: RuntimeDep, identity: Identity = require_role("admin")
) -> TenantOut:
    """Change name, time zone or base currency (admin); publishes TenantUpdated."""
    changes = body.model_dump(exclude_unset=True, exclude_none=True)
    async with runtime.uow() as uow:
        await tenants.update_tenant(uow, identity.tenant_id, changes, actor=identity.subject)
    return await get_tenant(runtime, identity)


@router.delete("/tenants/current", operation_id="delete_own_tenant", status_code=204)
async def delete_tenant(
    runtime: RuntimeDep,
    confirm: Annotated[str, Header(alias="X-Confirm-Tenant-Deletion")] = "",
    identity: Identity = require_role("admin"),
) -> Response:
    """Delete the tenant and all its data in every service (admin). The header
    ``X-Confirm-Tenant-Deletion`` must repeat the tenant id."""
    if confirm != str(identity.tenant_id):
        raise Problem(428, "Confirmation required", "send X-Confirm-Tenant-Deletion: <tenant id>")
    async with runtime.uow() as uow:
        await tenants.delete_tenant(uow, identity.tenant_id, actor=identity.subject)
    return Response(status_code=204)
