"""The load-job queue: enqueue (one active job per connection), claim with a lease, cancel."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from connector_xero.adapters.orm import load_job
from connector_xero.handlers.deps import Deps
from platform_kit.db.uow import UnitOfWork

ACTIVE = ("queued", "running", "waiting")


async def enqueue(
    deps: Deps, tenant_id: uuid.UUID, connection_id: uuid.UUID, mode: str, trigger: str = "user"
) -> tuple[uuid.UUID, bool]:
    """Queue a load unless one is active for the connection; returns (job id, created)."""
    async with deps.uow() as uow:
        job_id = await enqueue_in(uow, tenant_id, connection_id, mode, trigger)
        if job_id is not None:
            await uow.commit()
            return job_id, True
    async with deps.db.sessions() as session:
        existing = (
            await session.execute(
                select(load_job.c.job_id).where(
                    load_job.c.connection_id == connection_id, load_job.c.status.in_(ACTIVE)
                )
            )
        ).scalar_one()
    return existing, False


async def enqueue_in(
    uow: UnitOfWork, tenant_id: uuid.UUID, connection_id: uuid.UUID, mode: str, trigger: str
) -> uuid.UUID | None:
    """Insert a queued job inside the caller's transaction (None if one is active)."""
    stmt = (
        pg_insert(load_job)
        .values(
            job_id=uuid.uuid4(),
            tenant_id=tenant_id,
            connection_id=connection_id,
            mode=mode,
            trigger=trigger,
        )
        .on_conflict_do_nothing(
            index_elements=["connection_id"], index_where=load_job.c.status.in_(ACTIVE)
        )
        .returning(load_job.c.job_id)
    )
    return (await uow.session.execute(stmt)).scalar_one_or_none()


async def claim(deps: Deps) -> Any:
    """Take one runnable job (queued, due waiting, or running with an expired lease)."""
    async with deps.uow() as uow:
        row = (
            await uow.session.execute(
                text(
                    "update load_job set status = 'running', lease_owner = :me,"
                    " lease_until = now() + make_interval(secs => :lease),"
                    " started_at = coalesce(started_at, now()), attempts = attempts + 1"
                    " where job_id = (select job_id from load_job where"
                    " (status in ('queued', 'waiting') and coalesce(not_before, now()) <= now())"
                    " or (status = 'running' and lease_until < now())"
                    " order by created_at limit 1 for update skip locked) returning *"
                ),
                {
                    "me": f"{deps.worker_id}:{uuid.uuid4().hex[:8]}",
                    "lease": deps.settings.job_lease_s,
                },
            )
        ).one_or_none()
        await uow.commit()
    return row


async def cancel(deps: Deps, tenant_id: uuid.UUID, job_id: uuid.UUID) -> bool:
    """Cancel a queued, waiting or running load (a running one stops at its next page)."""
    async with deps.uow() as uow:
        row = (
            await uow.session.execute(
                update(load_job)
                .where(
                    load_job.c.job_id == job_id,
                    load_job.c.tenant_id == tenant_id,
                    load_job.c.status.in_(ACTIVE),
                )
                .values(status="cancelled", finished_at=deps.clock.now())
                .returning(load_job.c.job_id)
            )
        ).one_or_none()
        await uow.commit()
    return row is not None


async def progress_of(deps: Deps, job_id: uuid.UUID) -> dict[str, Any]:
    """The stored progress of a job (``{}`` when it is gone)."""
    async with deps.db.sessions() as session:
        value = (
            await session.execute(select(load_job.c.progress).where(load_job.c.job_id == job_id))
        ).scalar_one_or_none()
    return dict(value or {})
