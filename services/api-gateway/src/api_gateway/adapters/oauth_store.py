"""SQL for OAuth clients, authorization codes, refresh-token families and access tokens."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, func, insert, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from api_gateway.adapters.orm import access_token, authorization_code, oauth_client, refresh_token


async def client_by_id(session: AsyncSession, client_id: str) -> Row[Any] | None:
    stmt = select(oauth_client).where(
        oauth_client.c.client_id == client_id, oauth_client.c.revoked_at.is_(None)
    )
    return (await session.execute(stmt)).one_or_none()


async def upsert_client(session: AsyncSession, **values: Any) -> None:
    stmt = pg_insert(oauth_client).values(**values)
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=["client_id"],
            set_={k: stmt.excluded[k] for k in values if k != "client_id"},
        )
    )


async def clients_of(session: AsyncSession, tenant_id: uuid.UUID) -> list[Row[Any]]:
    stmt = (
        select(oauth_client)
        .where(oauth_client.c.tenant_id == tenant_id, oauth_client.c.revoked_at.is_(None))
        .order_by(oauth_client.c.created_at)
    )
    return list((await session.execute(stmt)).all())


async def revoke_client(session: AsyncSession, tenant_id: uuid.UUID, client_id: str) -> int:
    result = await session.execute(
        update(oauth_client)
        .where(
            oauth_client.c.client_id == client_id,
            oauth_client.c.tenant_id == tenant_id,
            oauth_client.c.revoked_at.is_(None),
        )
        .values(revoked_at=func.now())
    )
    await session.execute(
        update(access_token)
        .where(access_token.c.client_id == client_id, access_token.c.revoked_at.is_(None))
        .values(revoked_at=func.now())
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def insert_code(session: AsyncSession, **values: Any) -> None:
    await session.execute(insert(authorization_code).values(**values))


async def code_by_hash(session: AsyncSession, code_hash: str) -> Row[Any] | None:
    stmt = (
        select(authorization_code)
        .where(authorization_code.c.code_hash == code_hash)
        .with_for_update()
    )
    return (await session.execute(stmt)).one_or_none()


async def mark_code_used(session: AsyncSession, code_hash: str) -> None:
    await session.execute(
        update(authorization_code)
        .where(authorization_code.c.code_hash == code_hash)
        .values(used_at=func.now())
    )


async def insert_refresh_token(session: AsyncSession, **values: Any) -> None:
    await session.execute(insert(refresh_token).values(**values))


async def refresh_token_by_hash(session: AsyncSession, token_hash: str) -> Row[Any] | None:
    stmt = select(refresh_token).where(refresh_token.c.token_hash == token_hash).with_for_update()
    return (await session.execute(stmt)).one_or_none()


async def mark_refresh_rotated(session: AsyncSession, token_hash: str) -> None:
    await session.execute(
        update(refresh_token)
        .where(refresh_token.c.token_hash == token_hash)
        .values(rotated_at=func.now())
    )


async def revoke_family(session: AsyncSession, family_id: uuid.UUID) -> None:
    """Revoke every refresh and access token of one grant (login) family."""
    await session.execute(
        update(refresh_token)
        .where(refresh_token.c.family_id == family_id, refresh_token.c.revoked_at.is_(None))
        .values(revoked_at=func.now())
    )
    await session.execute(
        update(access_token)
        .where(access_token.c.family_id == family_id, access_token.c.revoked_at.is_(None))
        .values(revoked_at=func.now())
    )


async def revoke_user_tokens(
    session: AsyncSession, user_id: uuid.UUID, tenant_id: uuid.UUID | None = None
) -> None:
    """Revoke all refresh and access tokens of a user (password reset, removal)."""
    conditions = [refresh_token.c.user_id == user_id, refresh_token.c.revoked_at.is_(None)]
    if tenant_id is not None:
        conditions.append(refresh_token.c.tenant_id == tenant_id)
    await session.execute(update(refresh_token).where(*conditions).values(revoked_at=func.now()))
    access_conditions = [
        access_token.c.subject == str(user_id),
        access_token.c.revoked_at.is_(None),
    ]
    if tenant_id is not None:
        access_conditions.append(access_token.c.tenant_id == tenant_id)
    await session.execute(
        update(access_token).where(*access_conditions).values(revoked_at=func.now())
    )


async def insert_access_token(session: AsyncSession, **values: Any) -> None:
    await session.execute(insert(access_token).values(**values))


async def access_token_by_jti(session: AsyncSession, jti: str) -> Row[Any] | None:
    stmt = select(access_token).where(access_token.c.jti == jti)
    return (await session.execute(stmt)).one_or_none()


async def revoke_access_token(session: AsyncSession, jti: str) -> None:
    await session.execute(
        update(access_token)
        .where(access_token.c.jti == jti, access_token.c.revoked_at.is_(None))
        .values(revoked_at=func.now())
    )


async def prune_expired(session: AsyncSession) -> None:
    """Drop expired access tokens, codes and refresh tokens (a day after expiry)."""
    horizon = func.now() - text("interval '1 day'")
    await session.execute(delete(access_token).where(access_token.c.expires_at < horizon))
    await session.execute(
        delete(authorization_code).where(authorization_code.c.expires_at < horizon)
    )
    await session.execute(
        delete(refresh_token).where(
            or_(refresh_token.c.expires_at < horizon, refresh_token.c.revoked_at < horizon)
        )
    )
