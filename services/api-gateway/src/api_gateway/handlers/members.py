"""Team use cases: invitations, roles, personal API keys and partner (OAuth) clients."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from api_gateway.adapters import accounts as repo
from api_gateway.adapters import oauth_store
from api_gateway.domain.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated
from api_gateway.domain.mail import invitation_message
from api_gateway.domain.model import (
    ROLES,
    Identity,
    digest,
    new_api_key,
    new_secret,
    normalise_email,
    role_rank,
)
from api_gateway.handlers.accounts import new_password_hash
from api_gateway.handlers.context import IdentityContext
from api_gateway.handlers.tenants import get_tenant
from platform_kit.db.uow import UnitOfWork


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(ROLES)}")


async def invite(
    uow: UnitOfWork, context: IdentityContext, actor: Identity, *, email: str, role: str
) -> uuid.UUID:
    """Mail an invitation link (valid ``invitation_ttl_s``) to join the actor's tenant."""
    _check_role(role)
    try:
        email = normalise_email(email)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from exc
    tenant = await get_tenant(uow, actor.tenant_id)
    if tenant is None:
        raise NotFound("tenant not found")
    token = new_secret()
    invitation_id = uuid.uuid4()
    await repo.insert_invitation(
        uow.session,
        invitation_id=invitation_id,
        tenant_id=actor.tenant_id,
        email=email,
        role=role,
        token_hash=digest(token),
        invited_by=actor.user_id,
        expires_at=datetime.now(UTC) + timedelta(seconds=context.settings.invitation_ttl_s),
    )
    await repo.audit(
        uow.session,
        tenant_id=actor.tenant_id,
        actor=actor.subject,
        action="member.invited",
        detail={"email": email, "role": role},
    )
    await uow.commit()
    link = f"{context.settings.issuer}/accept-invitation?token={token}"
    await context.mailer.send(invitation_message(email, tenant.name, role, link))
    return invitation_id


async def accept_invitation(
    uow: UnitOfWork,
    context: IdentityContext,
    *,
    token: str,
    password: str,
    display_name: str | None,
) -> tuple[uuid.UUID, uuid.UUID]:
    """Join the tenant: a new account gets ``password``; an existing one must give its own.

    Returns (tenant id, user id).
    """
    from api_gateway.domain.passwords import verify_password

    row = await repo.invitation_by_hash(uow.session, digest(token))
    if row is None or row.accepted_at is not None or row.expires_at < datetime.now(UTC):
        raise Unauthenticated("the invitation is invalid or has expired")
    if await get_tenant(uow, row.tenant_id) is None:
        raise NotFound("the tenant no longer exists")
    user = await repo.user_by_email(uow.session, row.email)
    if user is None:
        password_hash = await new_password_hash(context, password, row.email)
        user_id = await repo.insert_user(
            uow.session, email=row.email, password_hash=password_hash, display_name=display_name
        )
    else:
        if not user.password_hash or not await asyncio.to_thread(
            verify_password, password, user.password_hash
        ):
            raise Unauthenticated("this email has an account: give its password to join")
        user_id = user.user_id
    if await repo.membership_of(uow.session, row.tenant_id, user_id) is None:
        await repo.upsert_membership(uow.session, row.tenant_id, user_id, row.role)
    await repo.mark_invitation_accepted(uow.session, row.invitation_id)
    await repo.audit(
        uow.session,
        tenant_id=row.tenant_id,
        actor=str(user_id),
        action="member.joined",
        detail={"role": row.role},
    )
    await uow.commit()
    return row.tenant_id, user_id


async def list_members(uow: UnitOfWork, actor: Identity) -> list[Any]:
    return await repo.members(uow.session, actor.tenant_id)


async def change_role(uow: UnitOfWork, actor: Identity, user_id: uuid.UUID, role: str) -> None:
    """Set a member's role; the last admin cannot be demoted. Their tokens are revoked
    so the new role applies at the next sign-in or refresh."""
    _check_role(role)
    member = await repo.membership_of(uow.session, actor.tenant_id, user_id, lock=True)
    if member is None:
        raise NotFound("no such member")
    demoting = member.role == "admin" and role != "admin"
    if demoting and await repo.count_admins(uow.session, actor.tenant_id) <= 1:
        raise Conflict("the tenant needs at least one admin")
    await repo.upsert_membership(uow.session, actor.tenant_id, user_id, role)
    await oauth_store.revoke_user_tokens(uow.session, user_id, actor.tenant_id)
    await repo.audit(
        uow.session,
        tenant_id=actor.tenant_id,
        actor=actor.subject,
        action="member.role_changed",
        detail={"user_id": str(user_id), "from": member.role, "to": role},
    )
    await uow.commit()


async def remove_member(uow: UnitOfWork, actor: Identity, user_id: uuid.UUID) -> None:
    member = await repo.membership_of(uow.session, actor.tenant_id, user_id, lock=True)
    if member is None:
        raise NotFound("no such member")
    if member.role == "admin" and await repo.count_admins(uow.session, actor.tenant_id) <= 1:
        raise Conflict("the tenant needs at least one admin")
    await repo.delete_membership(uow.session, actor.tenant_id, user_id)
    await oauth_store.revoke_user_tokens(uow.session, user_id, actor.tenant_id)
    await repo.audit(
        uow.session,
        tenant_id=actor.tenant_id,
        actor=actor.subject,
        action="member.removed",
        detail={"user_id": str(user_id)},
    )
    await uow.commit()


@dataclass(frozen=True)
class NewApiKey:
    key_id: uuid.UUID
    key: str
    prefix: str


async def create_api_key(uow: UnitOfWork, actor: Identity, name: str) -> NewApiKey:
    """A personal API key for the calling user in this tenant; the key is shown once."""
    if actor.user_id is None:
        raise Forbidden("only users have personal API keys")
    key, prefix = new_api_key()
    key_id = uuid.uuid4()
    await repo.insert_api_key(
        uow.session,
        key_id=key_id,
        tenant_id=actor.tenant_id,
        user_id=actor.user_id,
        name=name,
        prefix=prefix,
        key_hash=digest(key),
    )
    await repo.audit(
        uow.session,
        tenant_id=actor.tenant_id,
        actor=actor.subject,
        action="api_key.created",
        detail={"key_id": str(key_id), "prefix": prefix},
    )
    await uow.commit()
    return NewApiKey(key_id, key, prefix)


async def list_api_keys(uow: UnitOfWork, actor: Identity) -> list[Any]:
    if actor.user_id is None:
        return []
    return await repo.api_keys_of(uow.session, actor.tenant_id, actor.user_id)


async def revoke_api_key(uow: UnitOfWork, actor: Identity, key_id: uuid.UUID) -> None:
    if actor.user_id is None or not await repo.revoke_api_key(
        uow.session, actor.tenant_id, actor.user_id, key_id
    ):
        raise NotFound("no such API key")
    await repo.audit(
        uow.session,
        tenant_id=actor.tenant_id,
        actor=actor.subject,
        action="api_key.revoked",
        detail={"key_id": str(key_id)},
    )
    await uow.commit()


@dataclass(frozen=True)
class NewClient:
    client_id: str
    client_secret: str
    roles: list[str]


async def create_partner_client(
    uow: UnitOfWork, actor: Identity, *, name: str, role: str
) -> NewClient:
    """A confidential client (client credentials) acting in the tenant with ``role``."""
    _check_role(role)
    if not any(role_rank(r) >= role_rank(role) for r in actor.roles if r in ROLES):
        raise Forbidden("cannot grant a role above your own")
    client_id = "pc-" + uuid.uuid4().hex[:16]
    secret = new_secret()
    await oauth_store.upsert_client(
        uow.session,
        client_id=client_id,
        tenant_id=actor.tenant_id,
        name=name,
        secret_hash=digest(secret),
        redirect_uris=[],
        grant_types=["client_credentials"],
        scope="api",
        auth_method="client_secret_basic",
        roles=[role],
        created_by=actor.user_id,
    )
    await repo.audit(
        uow.session,
        tenant_id=actor.tenant_id,
        actor=actor.subject,
        action="client.created",
        detail={"client_id": client_id, "role": role},
    )
    await uow.commit()
    return NewClient(client_id, secret, [role])


async def revoke_partner_client(uow: UnitOfWork, actor: Identity, client_id: str) -> None:
    if not await oauth_store.revoke_client(uow.session, actor.tenant_id, client_id):
        raise NotFound("no such client")
    await repo.audit(
        uow.session,
        tenant_id=actor.tenant_id,
        actor=actor.subject,
        action="client.revoked",
        detail={"client_id": client_id},
    )
    await uow.commit()


async def user_email(uow: UnitOfWork, user_id: uuid.UUID) -> str | None:
    row = await repo.user_by_id(uow.session, user_id)
    return row.email if row is not None else None
