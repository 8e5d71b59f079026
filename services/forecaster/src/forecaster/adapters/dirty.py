"""Dirty flags for selective recompute, and the per-tenant recompute lock.

Consumers mark the SKUs whose inputs changed (``dirty_sku``) and touch the tenant's
``forecast_state`` (last change, whether a sync just finished, full-recompute requests).
A run reads the marks it will handle and afterwards clears exactly those marks (same
``marked_at``), so marks written while it ran survive for the next run.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from forecaster.adapters.orm import dirty_sku, forecast_state, metadata


async def mark_dirty(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    variant_ids: Iterable[str],
    *,
    trigger: str = "sync",
    ready: bool = False,
    full: bool = False,
) -> None:
    """Flag SKUs (or the whole tenant with ``full``) for the next recompute."""
    ids = sorted(set(variant_ids))
    if ids:
        stmt = pg_insert(dirty_sku)
        await session.execute(
            stmt.on_conflict_do_update(
                index_elements=["tenant_id", "variant_id"],
                set_={"marked_at": func.clock_timestamp()},
            ),
            [{"tenant_id": tenant_id, "variant_id": v} for v in ids],
        )
    if not ids and not full and not ready:
        return
    values: dict[str, object] = {
        "tenant_id": tenant_id,
        "last_change_at": func.clock_timestamp(),
        "trigger": trigger,
    }
    if ready:
        values["ready"] = True
    if full:
        values["full_requested_at"] = func.clock_timestamp()
    stmt2 = pg_insert(forecast_state).values(**values)
    await session.execute(
        stmt2.on_conflict_do_update(
            index_elements=["tenant_id"],
            set_={k: stmt2.excluded[k] for k in values if k != "tenant_id"},
        )
    )


async def due_tenants(session: AsyncSession, quiet_s: float) -> list[uuid.UUID]:
    """Active tenants with pending work that is ready (sync finished) or quiet long enough."""
    tenant = metadata.tables["tenant"]
    pending = (forecast_state.c.full_requested_at.is_not(None)) | select(
        dirty_sku.c.variant_id
    ).where(dirty_sku.c.tenant_id == forecast_state.c.tenant_id).exists()
    settled = forecast_state.c.ready | (
        forecast_state.c.last_change_at
        < func.clock_timestamp() - func.make_interval(0, 0, 0, 0, 0, 0, quiet_s)
    )
    rows = await session.execute(
        select(forecast_state.c.tenant_id)
        .join(tenant, tenant.c.tenant_id == forecast_state.c.tenant_id)
        .where(tenant.c.status == "active", pending, settled)
        .order_by(forecast_state.c.last_change_at)
    )
    return list(rows.scalars().all())


@dataclass(frozen=True)
class Claim:
    """What a run is about to handle: dirty SKUs with their mark times, or everything."""

    tenant_id: uuid.UUID
    full_requested_at: datetime | None
    trigger: str
    marks: dict[str, datetime]

    @property
    def full(self) -> bool:
        return self.full_requested_at is not None


async def read_claim(session: AsyncSession, tenant_id: uuid.UUID) -> Claim:
    state = (
        await session.execute(
            select(forecast_state.c.full_requested_at, forecast_state.c.trigger).where(
                forecast_state.c.tenant_id == tenant_id
            )
        )
    ).one_or_none()
    rows = await session.execute(
        select(dirty_sku.c.variant_id, dirty_sku.c.marked_at).where(
            dirty_sku.c.tenant_id == tenant_id
        )
    )
    marks = {str(r[0]): r[1] for r in rows}
    full_at, trigger = (state[0], state[1]) if state is not None else (None, "sync")
    return Claim(tenant_id, full_at, trigger, marks)


async def clear_claim(session: AsyncSession, claim: Claim) -> None:
    """Remove the marks a run handled; newer marks stay."""
    if claim.marks:
        await session.execute(
            text(
                "delete from dirty_sku d using unnest(cast(:v as varchar[]), "
                "cast(:m as timestamptz[])) as u(v, m) "
                "where d.tenant_id = :t and d.variant_id = u.v and d.marked_at = u.m"
            ),
            {"t": claim.tenant_id, "v": list(claim.marks), "m": list(claim.marks.values())},
        )
    state_where = [forecast_state.c.tenant_id == claim.tenant_id]
    values: dict[str, object] = {"ready": False, "trigger": "sync"}
    await session.execute(update(forecast_state).where(*state_where).values(**values))
    if claim.full_requested_at is not None:
        await session.execute(
            update(forecast_state)
            .where(
                and_(*state_where, forecast_state.c.full_requested_at == claim.full_requested_at)
            )
            .values(full_requested_at=None)
        )


def lock_key(tenant_id: uuid.UUID) -> int:
    """64-bit advisory lock key of a tenant's recompute."""
    digest = hashlib.blake2b(f"forecaster-recompute:{tenant_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


async def try_lock(conn: AsyncConnection, tenant_id: uuid.UUID) -> bool:
    """Session-level advisory lock: one recompute per tenant across replicas."""
    got = (
        await conn.execute(text("select pg_try_advisory_lock(:k)"), {"k": lock_key(tenant_id)})
    ).scalar_one()
    await conn.commit()
    return bool(got)


async def unlock(conn: AsyncConnection, tenant_id: uuid.UUID) -> None:
    await conn.execute(text("select pg_advisory_unlock(:k)"), {"k": lock_key(tenant_id)})
    await conn.commit()


async def lock_publication(session: AsyncSession, tenant_id: uuid.UUID) -> None:
    """Transaction lock serialising writes of a tenant's forecasts (runs vs. overrides)."""
    digest = hashlib.blake2b(f"forecaster-publish:{tenant_id}".encode(), digest_size=8).digest()
    await session.execute(
        text("select pg_advisory_xact_lock(:k)"), {"k": int.from_bytes(digest, "big", signed=True)}
    )
