"""Scheduled loads: incremental every ``incremental_every_s``, refresh nightly (local time).

Rows are taken with ``FOR UPDATE SKIP LOCKED``, so with several replicas each due
connection is scheduled by exactly one of them.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from connector_katana.adapters.orm import connection, load_job
from connector_katana.domain.reads import ENTITIES, reads_for
from connector_katana.domain.schedule import next_local_hour
from connector_katana.handlers.deps import Deps


async def schedule_due(deps: Deps) -> int:
    """Queue due scheduled loads; returns how many jobs were queued."""
    now = deps.clock.now()
    settings = deps.settings
    queued = 0
    async with deps.uow() as uow:
        rows = (
            await uow.session.execute(
                select(connection)
                .where(
                    connection.c.status == "active",
                    or_(
                        connection.c.next_incremental_at <= now,
                        connection.c.next_refresh_at <= now,
                        connection.c.next_refresh_at.is_(None),
                    ),
                )
                .with_for_update(skip_locked=True)
            )
        ).all()
        for row in rows:
            values = {}
            if row.next_refresh_at is None:
                values["next_refresh_at"] = next_local_hour(
                    now, row.time_zone, settings.refresh_local_hour
                )
                await uow.session.execute(
                    update(connection)
                    .where(connection.c.connection_id == row.connection_id)
                    .values(**values)
                )
                continue
            mode = "refresh" if row.next_refresh_at <= now else "incremental"
            entities = list(ENTITIES)
            result = await uow.session.execute(
                pg_insert(load_job)
                .values(
                    job_id=uuid.uuid4(),
                    tenant_id=row.tenant_id,
                    connection_id=row.connection_id,
                    mode=mode,
                    trigger="schedule",
                    status="queued",
                    entities=entities,
                    progress={"reads": {n: {} for n in reads_for(entities, mode)}},
                    created_at=now,
                )
                .on_conflict_do_nothing(
                    index_elements=["connection_id"],
                    index_where=load_job.c.status.in_(["queued", "running"]),
                )
            )
            if not getattr(result, "rowcount", 0):
                continue
            queued += 1
            values["next_incremental_at"] = now + timedelta(seconds=settings.incremental_every_s)
            if mode == "refresh":
                values["next_refresh_at"] = next_local_hour(
                    now, row.time_zone, settings.refresh_local_hour
                )
            await uow.session.execute(
                update(connection)
                .where(connection.c.connection_id == row.connection_id)
                .values(**values)
            )
        await uow.commit()
    return queued
