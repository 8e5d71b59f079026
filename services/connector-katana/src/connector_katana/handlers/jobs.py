"""Load jobs: create, read progress, and claim with a lease (any replica may run one)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from connector_katana.adapters.orm import connection, load_job
from connector_katana.domain.reads import ENTITIES, reads_for
from connector_katana.handlers.deps import Deps
from platform_kit.http.problems import Problem

MODES = ("incremental", "refresh")


async def start_load(
    deps: Deps,
    tenant_id: uuid.UUID,
    connection_id: uuid.UUID,
    *,
    mode: str,
    entities: list[str] | None,
    trigger: str = "user",
) -> dict[str, Any]:
    """Queue a load job; 409 when the connection already has one queued or running."""
    if mode not in MODES:
        raise Problem(422, "Invalid mode", f"mode must be one of {', '.join(MODES)}")
    chosen = list(dict.fromkeys(entities or list(ENTITIES)))
    unknown = [e for e in chosen if e not in ENTITIES]
    if unknown or not chosen:
        raise Problem(422, "Invalid entities", f"choose from {', '.join(ENTITIES)}")
    job_id = uuid.uuid4()
    async with deps.uow() as uow:
        conn = (
            await uow.session.execute(
                select(connection.c.status).where(
                    connection.c.connection_id == connection_id, connection.c.tenant_id == tenant_id
                )
            )
        ).first()
        if conn is None:
            raise Problem(404, "Not found", "no such connection")
        if conn.status != "active":
            raise Problem(409, "Disconnected", "the connection is not active")
        try:
            await uow.session.execute(
                load_job.insert().values(
                    job_id=job_id,
                    tenant_id=tenant_id,
                    connection_id=connection_id,
                    mode=mode,
                    trigger=trigger,
                    status="queued",
                    entities=chosen,
                    progress={"reads": {name: {} for name in reads_for(chosen, mode)}},
                    created_at=deps.clock.now(),
                )
            )
            await uow.commit()
        except IntegrityError as exc:
            raise Problem(
                409, "Load already running", "this connection already has a queued or running load"
            ) from exc
    return await get_job(deps, tenant_id, job_id)


def job_view(row: Any) -> dict[str, Any]:
    """Progress as the API shows it."""
    reads = row.progress.get("reads", {})
    return {
        "job_id": str(row.job_id),
        "connection_id": str(row.connection_id),
        "mode": row.mode,
        "trigger": row.trigger,
        "status": row.status,
        "entities": row.entities,
        "progress": [
            {
                "entity": name,
                "pages_done": p.get("page", 0),
                "total_pages": p.get("total_pages"),
                "records": p.get("records", 0),
                "published": p.get("published", 0),
                "skipped": p.get("skipped", 0),
                "done": bool(p.get("done")),
                "complete": bool(p.get("done")) and not p.get("incomplete"),
            }
            for name, p in reads.items()
        ],
        "streams": row.progress.get("streams", {}),
        "skipped_records": row.skipped[:200],
        "errors": row.errors,
        "created_at": row.created_at.isoformat(),
        "started_at": row.started_at.isoformat() if row.started_at else None,
        "finished_at": row.finished_at.isoformat() if row.finished_at else None,
    }


async def get_job(deps: Deps, tenant_id: uuid.UUID, job_id: uuid.UUID) -> dict[str, Any]:
    """One job of the tenant, or 404."""
    async with deps.db.sessions() as session:
        row = (
            await session.execute(
                select(load_job).where(
                    load_job.c.job_id == job_id, load_job.c.tenant_id == tenant_id
                )
            )
        ).first()
    if row is None:
        raise Problem(404, "Not found", "no such job")
    return job_view(row)


async def list_jobs(
    deps: Deps, tenant_id: uuid.UUID, connection_id: uuid.UUID, limit: int = 50, offset: int = 0
) -> tuple[list[dict[str, Any]], int]:
    """The connection's jobs, newest first, with the total count."""
    async with deps.db.sessions() as session:
        where = [load_job.c.tenant_id == tenant_id, load_job.c.connection_id == connection_id]
        rows = (
            await session.execute(
                select(load_job)
                .where(*where)
                .order_by(load_job.c.created_at.desc())
                .limit(limit)
                .offset(offset)
            )
        ).all()
        total = len((await session.execute(select(load_job.c.job_id).where(*where))).all())
    return [job_view(r) for r in rows], total


async def claim_job(deps: Deps) -> uuid.UUID | None:
    """Lease the oldest queued job, or a running one whose runner stopped renewing."""
    lease = timedelta(seconds=deps.settings.job_lease_s)
    async with deps.uow() as uow:
        row = (
            await uow.session.execute(
                text(
                    "update load_job set lease_owner = :owner, "
                    "lease_until = clock_timestamp() + :lease "
                    "where job_id = (select job_id from load_job "
                    "where status in ('queued', 'running') "
                    "and (lease_until is null or lease_until < clock_timestamp()) "
                    "order by created_at limit 1 for update skip locked) returning job_id"
                ),
                {"owner": deps.owner, "lease": lease},
            )
        ).first()
        await uow.commit()
    return row.job_id if row is not None else None
