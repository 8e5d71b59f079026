"""SQL for users, memberships, invitations, password resets, API keys and audit."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from api_gateway.adapters.orm import (
    api_key,
    audit_event,
    invitation,
    login_attempt,
    membership,
    password_reset,
    user_account,
)


async def user_by_email(session: AsyncSession, email: str) -> Row[Any] | None:
    stmt = select(user_account).where(user_account.c.email == email)
    return (await session.execute(stmt)).one_or_none()


async def user_by_id(session: AsyncSession, user_id: uuid.UUID) -> Row[Any] | None:
    stmt = select(user_account).where(user_account.c.user_id == user_id)
    return (await session.execute(stmt)).one_or_none()


async def user_by_external_subject(session: AsyncSession, subject: str) -> Row[Any] | None:
    stmt = select(user_account).where(user_account.c.external_subject == subject)
    return (await session.execute(stmt)).one_or_none()


async def insert_user(
    session: AsyncSession, *, email: str, password_hash: str | None, display_name: str | None
) -> uuid.UUID:
    user_id = uuid.uuid4()
    await session.execute(
        insert(user_account).values(
            user_id=user_id, email=email, password_hash=password_hash, display_name=display_name
        )
    )
    return user_id


async def set_password(session: AsyncSession, user_id: uuid.UUID, password_hash: str) -> None:
    await session.execute(
        update(user_account)
        .where(user_account.c.user_id == user_id)
        .values(password_hash=password_hash, password_changed_at=func.now())
    )


async def bind_external_subject(session: AsyncSession, user_id: uuid.UUID, subject: str) -> None:
    await session.execute(
        update(user_account)
        .where(user_account.c.user_id == user_id)
        .values(external_subject=subject)
    )


async def delete_orphan_users(session: AsyncSession, user_ids: list[uuid.UUID]) -> int:
    """Delete the given users that no longer belong to any tenant."""
    if not user_ids:
        return 0
    still_member = select(membership.c.user_id).where(membership.c.user_id.in_(user_ids))
    result = await session.execute(
        delete(user_account).where(
            user_account.c.user_id.in_(user_ids), user_account.c.user_id.not_in(still_member)
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def memberships_of(session: AsyncSession, user_id: uuid.UUID) -> list[Row[Any]]:
    stmt = (
        select(membership)
        .where(membership.c.user_id == user_id)
        .order_by(membership.c.created_at, membership.c.tenant_id)
    )
    rows: list[Row[Any]] = list((await session.execute(stmt)).all())
    return rows


async def membership_of(
    session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID, *, lock: bool = False
) -> Row[Any] | None:
    stmt = select(membership).where(
        membership.c.tenant_id == tenant_id, membership.c.user_id == user_id
    )
    if lock:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).one_or_none()


async def members(session: AsyncSession, tenant_id: uuid.UUID) -> list[Row[Any]]:
    stmt = (
        select(
            membership.c.user_id,
            membership.c.role,
            membership.c.created_at,
            user_account.c.email,
            user_account.c.display_name,
        )
        .join(user_account, user_account.c.user_id == membership.c.user_id)
        .where(membership.c.tenant_id == tenant_id)
        .order_by(user_account.c.email)
    )
    rows: list[Row[Any]] = list((await session.execute(stmt)).all())  # type: ignore[arg-type]
    return rows


async def upsert_membership(
    session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID, role: str
) -> None:
    from sqlalchemy.dialects.postgresql import insert as pg_insert

    stmt = pg_insert(membership).values(tenant_id=tenant_id, user_id=user_id, role=role)
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=["tenant_id", "user_id"],
            set_={"role": stmt.excluded.role, "updated_at": func.now()},
        )
    )


async def delete_membership(session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID) -> int:
    result = await session.execute(
        delete(membership).where(
            membership.c.tenant_id == tenant_id, membership.c.user_id == user_id
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def count_admins(session: AsyncSession, tenant_id: uuid.UUID) -> int:
    stmt = select(func.count()).where(
        membership.c.tenant_id == tenant_id, membership.c.role == "admin"
    )
    return int((await session.execute(stmt)).scalar_one())


async def insert_invitation(session: AsyncSession, **values: Any) -> None:
    await session.execute(insert(invitation).values(**values))


async def invitation_by_hash(session: AsyncSession, token_hash: str) -> Row[Any] | None:
    stmt = select(invitation).where(invitation.c.token_hash == token_hash).with_for_update()
    return (await session.execute(stmt)).one_or_none()


async def mark_invitation_accepted(session: AsyncSession, invitation_id: uuid.UUID) -> None:
    await session.execute(
        update(invitation)
        .where(invitation.c.invitation_id == invitation_id)
        .values(accepted_at=func.now())
    )


async def insert_password_reset(
    session: AsyncSession, *, token_hash: str, user_id: uuid.UUID, expires_at: datetime
) -> None:
    await session.execute(
        insert(password_reset).values(token_hash=token_hash, user_id=user_id, expires_at=expires_at)
    )


async def password_reset_by_hash(session: AsyncSession, token_hash: str) -> Row[Any] | None:
    stmt = select(password_reset).where(password_reset.c.token_hash == token_hash).with_for_update()
    return (await session.execute(stmt)).one_or_none()


async def use_password_resets(session: AsyncSession, user_id: uuid.UUID) -> None:
    """Mark every open reset of the user used (one reset link works once)."""
    await session.execute(
        update(password_reset)
        .where(password_reset.c.user_id == user_id, password_reset.c.used_at.is_(None))
        .values(used_at=func.now())
    )


async def record_login_attempt(
    session: AsyncSession, *, email: str, ip: str, succeeded: bool
) -> None:
    await session.execute(insert(login_attempt).values(email=email, ip=ip, succeeded=succeeded))


async def failures_since(
    session: AsyncSession, since: datetime, *, email: str | None = None, ip: str | None = None
) -> tuple[int, datetime | None]:
    """Failed attempts since ``since`` for an account or an IP: (count, oldest)."""
    stmt = select(func.count(), func.min(login_attempt.c.created_at)).where(
        login_attempt.c.created_at >= since, login_attempt.c.succeeded.is_(False)
    )
    if email is not None:
        stmt = stmt.where(login_attempt.c.email == email)
    if ip is not None:
        stmt = stmt.where(login_attempt.c.ip == ip)
    count, oldest = (await session.execute(stmt)).one()
    return int(count), oldest


async def prune_login_attempts(session: AsyncSession, before: datetime) -> None:
    await session.execute(delete(login_attempt).where(login_attempt.c.created_at < before))


async def insert_api_key(session: AsyncSession, **values: Any) -> None:
    await session.execute(insert(api_key).values(**values))


async def api_key_by_hash(session: AsyncSession, key_hash: str) -> Row[Any] | None:
    stmt = select(api_key).where(api_key.c.key_hash == key_hash, api_key.c.revoked_at.is_(None))
    return (await session.execute(stmt)).one_or_none()


async def touch_api_key(session: AsyncSession, key_id: uuid.UUID) -> None:
    await session.execute(
        update(api_key).where(api_key.c.key_id == key_id).values(last_used_at=func.now())
    )


async def api_keys_of(
    session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID
) -> list[Row[Any]]:
    stmt = (
        select(api_key)
        .where(api_key.c.tenant_id == tenant_id, api_key.c.user_id == user_id)
        .order_by(api_key.c.created_at)
    )
    rows: list[Row[Any]] = list((await session.execute(stmt)).all())
    return rows


async def revoke_api_key(
    session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID, key_id: uuid.UUID
) -> int:
    result = await session.execute(
        update(api_key)
        .where(
            api_key.c.key_id == key_id,
            api_key.c.tenant_id == tenant_id,
            api_key.c.user_id == user_id,
            api_key.c.revoked_at.is_(None),
        )
        .values(revoked_at=func.now())
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def audit(
    session: AsyncSession,
    *,
    tenant_id: uuid.UUID | None,
    actor: str,
    action: str,
    detail: dict[str, Any] | None = None,
) -> None:
    await session.execute(
        insert(audit_event).values(
            tenant_id=tenant_id, actor=actor, action=action, detail=detail or {}
        )
    )
