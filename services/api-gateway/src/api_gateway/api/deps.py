"""Who is calling: the gateway's own bearer check (access token, API key, external)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from api_gateway.api.errors import to_problem
from api_gateway.domain.errors import IdentityError
from api_gateway.domain.model import Identity
from api_gateway.handlers.context import IdentityContext, identity_of
from api_gateway.handlers.gateway import admit
from platform_kit.http.problems import Problem
from platform_kit.service import get_runtime


def context_of(request: Request) -> IdentityContext:
    return identity_of(get_runtime(request))


ContextDep = Annotated[IdentityContext, Depends(context_of)]


async def authenticated(request: Request) -> Identity:
    """401 unless a valid bearer credential is presented, 429 past the caller's rate
    limits; the identity is kept on the request (the audit reads it)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Problem(
            401,
            "Authentication required",
            "missing bearer token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    try:
        identity = await admit(get_runtime(request), token.strip())
    except IdentityError as exc:
        raise to_problem(exc) from exc
    request.state.identity = identity
    return identity


async def current_identity(request: Request) -> Identity:
    """Dependency form of :func:`authenticated`."""
    return await authenticated(request)


def require_role(role: str) -> Any:
    """Dependency: the caller holds ``role`` or a higher one in their tenant (else 403)."""

    async def dependency(identity: Annotated[Identity, Depends(current_identity)]) -> Identity:
        if not identity.has_role(role):
            raise Problem(403, "Forbidden", f"requires role {role}")
        return identity

    return Depends(dependency)
