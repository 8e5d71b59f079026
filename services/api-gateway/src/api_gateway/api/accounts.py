"""Account routes. Public: sign-up (also by invitation) and password reset. Everything
else needs a bearer credential and a role."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response

from api_gateway.api.deps import ContextDep, current_identity
from api_gateway.api.errors import to_problem
from api_gateway.api.schemas import (
    AcceptInvitationIn,
    MembershipOut,
    MeOut,
    PasswordResetConfirmIn,
    PasswordResetIn,
    SignUpIn,
    SignUpOut,
)
from api_gateway.domain.errors import IdentityError
from api_gateway.domain.model import Identity
from api_gateway.handlers import accounts, members
from platform_kit.http.deps import RuntimeDep
from platform_kit.http.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/v1", tags=["accounts"], responses=PROBLEM_RESPONSES)


@router.post("/signup", operation_id="sign_up", status_code=201, response_model=SignUpOut)
async def sign_up(body: SignUpIn, runtime: RuntimeDep, ctx: ContextDep) -> SignUpOut:
    """Create a tenant and its admin user (public)."""
    try:
        async with runtime.uow() as uow:
            result = await accounts.sign_up(
                uow,
                ctx,
                email=body.email,
                password=body.password,
                tenant_name=body.tenant_name,
                display_name=body.display_name,
                time_zone=body.time_zone,
                base_currency=body.base_currency,
            )
    except IdentityError as exc:
        raise to_problem(exc) from exc
    return SignUpOut(tenant_id=result.tenant_id, user_id=result.user_id)


@router.post(
    "/signup/invitation",
    operation_id="accept_invitation",
    status_code=201,
    response_model=MembershipOut,
)
async def accept_invitation(
    body: AcceptInvitationIn, runtime: RuntimeDep, ctx: ContextDep
) -> MembershipOut:
    """Join a tenant with the token from an invitation mail (public; the token is the proof)."""
    try:
        async with runtime.uow() as uow:
            tenant_id, user_id = await members.accept_invitation(
                uow, ctx, token=body.token, password=body.password, display_name=body.display_name
            )
    except IdentityError as exc:
        raise to_problem(exc) from exc
    return MembershipOut(tenant_id=tenant_id, user_id=user_id)


@router.post("/password-resets", operation_id="request_password_reset", status_code=202)
async def request_password_reset(
    body: PasswordResetIn, runtime: RuntimeDep, ctx: ContextDep
) -> Response:
    """Mail a reset link if the account exists; the answer is the same either way (public)."""
    async with runtime.uow() as uow:
        await accounts.request_password_reset(uow, ctx, body.email)
    return Response(status_code=202)


@router.post("/password-resets/confirm", operation_id="reset_password", status_code=204)
async def reset_password(
    body: PasswordResetConfirmIn, runtime: RuntimeDep, ctx: ContextDep
) -> Response:
    """Set a new password with a reset token; signs the user out everywhere (public)."""
    try:
        async with runtime.uow() as uow:
            await accounts.reset_password(uow, ctx, token=body.token, password=body.password)
    except IdentityError as exc:
        raise to_problem(exc) from exc
    return Response(status_code=204)


@router.get("/me", operation_id="get_me", response_model=MeOut)
async def me(
    identity: Annotated[Identity, Depends(current_identity)], runtime: RuntimeDep
) -> MeOut:
    """The caller as the gateway sees them (also the OIDC userinfo endpoint)."""
    email = None
    if identity.user_id is not None:
        async with runtime.uow() as uow:
            email = await members.user_email(uow, identity.user_id)
    return MeOut(
        sub=identity.subject,
        tenant_id=identity.tenant_id,
        roles=sorted(identity.roles),
        via=identity.via,
        email=email,
    )
