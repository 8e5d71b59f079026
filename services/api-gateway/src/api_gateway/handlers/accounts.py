"""Account use cases: sign-up, password login with throttling, password reset."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from api_gateway.adapters import accounts as repo
from api_gateway.adapters import oauth_store
from api_gateway.domain.errors import Conflict, InvalidInput, Throttled, Unauthenticated
from api_gateway.domain.mail import password_reset_message
from api_gateway.domain.model import digest, new_secret, normalise_email
from api_gateway.domain.passwords import (
    KdfParams,
    check_password_policy,
    hash_password,
    needs_rehash,
    verify_password,
)
from api_gateway.handlers.context import IdentityContext
from api_gateway.handlers.tenants import create_tenant
from platform_kit.db.uow import UnitOfWork

_DUMMY_HASH: dict[KdfParams, str] = {}


@dataclass(frozen=True)
class SignedUp:
    tenant_id: uuid.UUID
    user_id: uuid.UUID


@dataclass(frozen=True)
class LoggedIn:
    """A user whose password checked out, with the tenant the session acts in."""

    user_id: uuid.UUID
    email: str
    tenant_id: uuid.UUID
    role: str


async def new_password_hash(context: IdentityContext, password: str, email: str) -> str:
    """Policy check, then the KDF in a worker thread (it is deliberately slow)."""
    problem = check_password_policy(password, email)
    if problem:
        raise InvalidInput(problem)
    return await asyncio.to_thread(hash_password, password, context.kdf)


async def sign_up(
    uow: UnitOfWork,
    context: IdentityContext,
    *,
    email: str,
    password: str,
    tenant_name: str,
    display_name: str | None,
    time_zone: str | None,
    base_currency: str | None,
    primary_source: str | None = None,
) -> SignedUp:
    """Create a tenant (publishes TenantCreated) and its first admin, atomically."""
    try:
        email = normalise_email(email)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from exc
    password_hash = await new_password_hash(context, password, email)
    if await repo.user_by_email(uow.session, email) is not None:
        raise Conflict("an account with this email exists; sign in and create the tenant there")
    user_id = await repo.insert_user(
        uow.session, email=email, password_hash=password_hash, display_name=display_name
    )
    tenant_id, _ = await create_tenant(
        uow,
        name=tenant_name,
        time_zone=time_zone,
        base_currency=base_currency,
        primary_source=primary_source,
        commit=False,
    )
    await repo.upsert_membership(uow.session, tenant_id, user_id, "admin")
    await repo.audit(
        uow.session, tenant_id=tenant_id, actor=str(user_id), action="tenant.signed_up"
    )
    await uow.commit()
    return SignedUp(tenant_id=tenant_id, user_id=user_id)


async def _check_throttle(uow: UnitOfWork, context: IdentityContext, email: str, ip: str) -> None:
    settings = context.settings
    window = timedelta(seconds=settings.login_window_s)
    since = datetime.now(UTC) - window
    for count, oldest, limit, what in (
        (
            *await repo.failures_since(uow.session, since, email=email),
            settings.login_max_failures_per_account,
            "account",
        ),
        (
            *await repo.failures_since(uow.session, since, ip=ip),
            settings.login_max_failures_per_ip,
            "address",
        ),
    ):
        if count >= limit and oldest is not None:
            retry = int((oldest + window - datetime.now(UTC)).total_seconds()) + 1
            raise Throttled(f"too many failed sign-ins for this {what}", max(retry, 1))


async def login(
    uow: UnitOfWork,
    context: IdentityContext,
    *,
    email: str,
    password: str,
    ip: str,
    tenant_id: uuid.UUID | None = None,
) -> LoggedIn:
    """Check a password; throttled per account and per IP (failures counted in Postgres).

    The failure is recorded and committed before Unauthenticated is raised.
    """
    email = email.strip().lower()
    await _check_throttle(uow, context, email, ip)
    user = await repo.user_by_email(uow.session, email)
    stored = user.password_hash if user is not None and user.password_hash else None
    if stored is None:
        if context.kdf not in _DUMMY_HASH:
            _DUMMY_HASH[context.kdf] = hash_password(new_secret(), context.kdf)
        stored = _DUMMY_HASH[context.kdf]
    ok = await asyncio.to_thread(verify_password, password, stored) and user is not None
    member = None
    if ok and user is not None:
        rows = await repo.memberships_of(uow.session, user.user_id)
        member = next((m for m in rows if tenant_id is None or m.tenant_id == tenant_id), None)
    await repo.record_login_attempt(uow.session, email=email, ip=ip, succeeded=member is not None)
    if user is None or member is None:
        await uow.commit()
        raise Unauthenticated("wrong email or password")
    if needs_rehash(stored, context.kdf):
        new_hash = await asyncio.to_thread(hash_password, password, context.kdf)
        await repo.set_password(uow.session, user.user_id, new_hash)
    await uow.commit()
    return LoggedIn(user.user_id, user.email, member.tenant_id, member.role)


async def request_password_reset(uow: UnitOfWork, context: IdentityContext, email: str) -> None:
    """Mail a one-time reset link if the account exists (same answer either way)."""
    user = await repo.user_by_email(uow.session, email.strip().lower())
    if user is None:
        return
    token = new_secret()
    expires = datetime.now(UTC) + timedelta(seconds=context.settings.password_reset_ttl_s)
    await repo.insert_password_reset(
        uow.session, token_hash=digest(token), user_id=user.user_id, expires_at=expires
    )
    await repo.audit(
        uow.session, tenant_id=None, actor=str(user.user_id), action="password.reset_requested"
    )
    await uow.commit()
    link = f"{context.settings.issuer}/reset-password?token={token}"
    await context.mailer.send(password_reset_message(user.email, link))


async def reset_password(
    uow: UnitOfWork, context: IdentityContext, *, token: str, password: str
) -> uuid.UUID:
    """Set a new password from a reset link; revokes the user's tokens."""
    row = await repo.password_reset_by_hash(uow.session, digest(token))
    if row is None or row.used_at is not None or row.expires_at < datetime.now(UTC):
        raise Unauthenticated("the reset link is invalid or has expired")
    user = await repo.user_by_id(uow.session, row.user_id)
    assert user is not None
    password_hash = await new_password_hash(context, password, user.email)
    await repo.set_password(uow.session, user.user_id, password_hash)
    await repo.use_password_resets(uow.session, user.user_id)
    await oauth_store.revoke_user_tokens(uow.session, user.user_id)
    await repo.audit(uow.session, tenant_id=None, actor=str(user.user_id), action="password.reset")
    await uow.commit()
    return user.user_id
