"""Stored settings per scope (global, supplier, product × location) and their audit."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from planner.adapters.orm import setting_audit, setting_value
from planner.domain.csv_io import ScopeRow


async def get_scope(
    session: AsyncSession, tenant_id: uuid.UUID, scope: str, scope_id: str, location_id: str
) -> tuple[dict[str, Any], int]:
    """(values, version) of one scope; ({}, 0) when never set."""
    row = (
        await session.execute(
            select(setting_value.c["values"], setting_value.c.version).where(
                setting_value.c.tenant_id == tenant_id,
                setting_value.c.scope == scope,
                setting_value.c.scope_id == scope_id,
                setting_value.c.location_id == location_id,
            )
        )
    ).one_or_none()
    return (dict(row[0]), int(row[1])) if row else ({}, 0)


async def put_scope(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    scope: str,
    scope_id: str,
    location_id: str,
    values: dict[str, Any],
) -> int:
    """Store a scope's full values; returns its new version."""
    base = pg_insert(setting_value).values(
        tenant_id=tenant_id,
        scope=scope,
        scope_id=scope_id,
        location_id=location_id,
        values=values,
        version=1,
    )
    stmt = base.on_conflict_do_update(
        index_elements=["tenant_id", "scope", "scope_id", "location_id"],
        set_={
            "values": base.excluded["values"],
            "version": setting_value.c.version + 1,
            "updated_at": func.now(),
        },
    ).returning(setting_value.c.version)
    return int((await session.execute(stmt)).scalar_one())


async def all_scopes(session: AsyncSession, tenant_id: uuid.UUID) -> list[ScopeRow]:
    """Every stored scope of the tenant, global first."""
    rows = await session.execute(
        select(setting_value)
        .where(setting_value.c.tenant_id == tenant_id)
        .order_by(
            setting_value.c.scope != "global",
            setting_value.c.scope,
            setting_value.c.scope_id,
            setting_value.c.location_id,
        )
    )
    return [ScopeRow(r.scope, r.scope_id, r.location_id, dict(r.values)) for r in rows]


async def audit(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    entries: list[dict[str, Any]],
) -> None:
    """Append audit rows (one per changed key)."""
    if entries:
        await session.execute(
            setting_audit.insert(), [{"tenant_id": tenant_id, **e} for e in entries]
        )


async def audit_page(
    session: AsyncSession, tenant_id: uuid.UUID, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """Newest audit entries first, and the total."""
    where = setting_audit.c.tenant_id == tenant_id
    total = (
        await session.execute(select(func.count()).select_from(setting_audit).where(where))
    ).scalar_one()
    rows = await session.execute(
        select(setting_audit)
        .where(where)
        .order_by(setting_audit.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [dict(r._mapping) for r in rows], int(total)
