"""Per-tenant plan state: dirty flags (set by consumers and settings edits), the
debounce query, the recompute lock, and the settings / plan version counters."""

from __future__ import annotations

import hashlib
import uuid

from sqlalchemy import func, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from planner.adapters.orm import metadata, plan_state


async def mark_dirty(session: AsyncSession, tenant_id: uuid.UUID, trigger: str) -> None:
    """Ask for a re-plan of the tenant (debounced by the background task)."""
    stmt = pg_insert(plan_state).values(
        tenant_id=tenant_id, dirty=True, trigger=trigger, last_change_at=func.clock_timestamp()
    )
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=["tenant_id"],
            set_={"dirty": True, "trigger": trigger, "last_change_at": func.clock_timestamp()},
        )
    )


async def due_tenants(session: AsyncSession, quiet_s: float) -> list[uuid.UUID]:
    """Active, dirty tenants with no change for ``quiet_s`` seconds (oldest first)."""
    tenant = metadata.tables["tenant"]
    rows = await session.execute(
        select(plan_state.c.tenant_id)
        .join(tenant, tenant.c.tenant_id == plan_state.c.tenant_id)
        .where(
            tenant.c.status == "active",
            plan_state.c.dirty,
            plan_state.c.last_change_at
            < func.clock_timestamp() - func.make_interval(0, 0, 0, 0, 0, 0, quiet_s),
        )
        .order_by(plan_state.c.last_change_at)
    )
    return list(rows.scalars().all())


async def claim(session: AsyncSession, tenant_id: uuid.UUID) -> tuple[str, object]:
    """Read (trigger, last_change_at) of the pending change this run handles."""
    row = (
        await session.execute(
            select(plan_state.c.trigger, plan_state.c.last_change_at).where(
                plan_state.c.tenant_id == tenant_id
            )
        )
    ).one_or_none()
    return (row[0], row[1]) if row else ("manual", None)


async def bump_settings_version(session: AsyncSession, tenant_id: uuid.UUID) -> int:
    """Increase and return the tenant's settings version (row created on first use)."""
    base = pg_insert(plan_state).values(tenant_id=tenant_id, settings_version=2)
    stmt = base.on_conflict_do_update(
        index_elements=["tenant_id"],
        set_={"settings_version": plan_state.c.settings_version + 1},
    ).returning(plan_state.c.settings_version)
    return int((await session.execute(stmt)).scalar_one())


async def settings_version(session: AsyncSession, tenant_id: uuid.UUID) -> int:
    value = (
        await session.execute(
            select(plan_state.c.settings_version).where(plan_state.c.tenant_id == tenant_id)
        )
    ).scalar_one_or_none()
    return int(value or 1)


async def finish(
    session: AsyncSession, tenant_id: uuid.UUID, claimed_at: object, values: dict[str, object]
) -> None:
    """Store the run's outcome; clear the dirty flag only if nothing changed meanwhile."""
    await session.execute(
        update(plan_state).where(plan_state.c.tenant_id == tenant_id).values(**values)
    )
    if claimed_at is not None:
        await session.execute(
            update(plan_state)
            .where(plan_state.c.tenant_id == tenant_id, plan_state.c.last_change_at == claimed_at)
            .values(dirty=False)
        )


def lock_key(tenant_id: uuid.UUID) -> int:
    digest = hashlib.blake2b(f"planner-replan:{tenant_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


async def try_lock(conn: AsyncConnection, tenant_id: uuid.UUID) -> bool:
    """Session advisory lock: one re-plan per tenant across replicas."""
    got = (
        await conn.execute(text("select pg_try_advisory_lock(:k)"), {"k": lock_key(tenant_id)})
    ).scalar_one()
    await conn.commit()
    return bool(got)


async def unlock(conn: AsyncConnection, tenant_id: uuid.UUID) -> None:
    await conn.execute(text("select pg_advisory_unlock(:k)"), {"k": lock_key(tenant_id)})
    await conn.commit()
