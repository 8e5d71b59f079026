"""The load schedule: hourly incremental, nightly refresh in the tenant's time zone.

One tick at a time across replicas (``pg_try_advisory_xact_lock``); due connections are
locked, their next runs moved forward and jobs queued in the same transaction.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, text, update

from connector_xero.adapters.orm import connection
from connector_xero.domain.schedule import next_incremental, next_refresh
from connector_xero.handlers.deps import Deps
from connector_xero.handlers.job_queue import enqueue_in

LOCK_KEY = 0x58_45_52_4F_5343  # "XEROSC"


async def tick(deps: Deps) -> int:
    """Queue due loads; returns how many jobs were queued."""
    now = deps.clock.now()
    every = timedelta(seconds=deps.settings.incremental_every_s)
    queued = 0
    async with deps.uow() as uow:
        got = (
            await uow.session.execute(text("select pg_try_advisory_xact_lock(:k)"), {"k": LOCK_KEY})
        ).scalar_one()
        if not got:
            return 0
        due = (
            await uow.session.execute(
                select(connection)
                .where(
                    connection.c.status == "active",
                    (connection.c.next_incremental_at <= now)
                    | (connection.c.next_refresh_at <= now),
                )
                .with_for_update(skip_locked=True)
            )
        ).all()
        for conn in due:
            refresh = conn.next_refresh_at is not None and conn.next_refresh_at <= now
            mode = "refresh" if refresh else "incremental"
            if await enqueue_in(uow, conn.tenant_id, conn.connection_id, mode, "schedule"):
                queued += 1
            values = {"next_incremental_at": next_incremental(now, every)}
            if refresh:
                values["next_refresh_at"] = next_refresh(
                    now, conn.time_zone, deps.settings.refresh_hour_local
                )
            await uow.session.execute(
                update(connection)
                .where(connection.c.connection_id == conn.connection_id)
                .values(**values)
            )
        await uow.commit()
    return queued
