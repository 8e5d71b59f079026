"""Daily scheduled re-forecast: candidate tenants and the claim of a day's run.

The claim is one conditional upsert of ``forecast_state`` (``scheduled_day`` < the day):
when several replicas claim the same tenant-local day at once, Postgres's row lock makes
exactly one of them see the row updated; the others' condition no longer holds. The
claim itself is a full-recompute request with trigger ``schedule`` that is due at once
(``ready``); the recompute loop (per-tenant advisory lock) runs it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from forecaster.adapters.inputs import DEFAULT_TIME_ZONE
from forecaster.adapters.orm import forecast_run, forecast_state, metadata


@dataclass(frozen=True)
class ScheduleCandidate:
    """An active tenant with at least one forecast run."""

    tenant_id: uuid.UUID
    time_zone: str
    last_run_as_of: date
    scheduled_day: date | None


async def candidates(session: AsyncSession) -> list[ScheduleCandidate]:
    tenant = metadata.tables["tenant"]
    last = (
        select(forecast_run.c.tenant_id, func.max(forecast_run.c.as_of).label("as_of"))
        .group_by(forecast_run.c.tenant_id)
        .subquery()
    )
    rows = await session.execute(
        select(tenant.c.tenant_id, tenant.c.time_zone, last.c.as_of, forecast_state.c.scheduled_day)
        .join(last, last.c.tenant_id == tenant.c.tenant_id)
        .outerjoin(forecast_state, forecast_state.c.tenant_id == tenant.c.tenant_id)
        .where(tenant.c.status == "active")
        .order_by(tenant.c.tenant_id)  # claims lock rows in one order across replicas
    )
    return [ScheduleCandidate(r[0], r[1] or DEFAULT_TIME_ZONE, r[2], r[3]) for r in rows]


async def claim_day(session: AsyncSession, tenant_id: uuid.UUID, day: date) -> bool:
    """Request the scheduled run of ``day`` unless another replica already did."""
    claimed = await session.execute(
        text(
            "insert into forecast_state as s "
            "(tenant_id, full_requested_at, trigger, last_change_at, ready, scheduled_day) "
            "values (:t, clock_timestamp(), 'schedule', clock_timestamp(), true, :d) "
            "on conflict (tenant_id) do update set full_requested_at = excluded.full_requested_at, "
            "trigger = 'schedule', last_change_at = excluded.last_change_at, ready = true, "
            "scheduled_day = excluded.scheduled_day "
            "where s.scheduled_day is null or s.scheduled_day < excluded.scheduled_day "
            "returning s.tenant_id"
        ),
        {"t": tenant_id, "d": day},
    )
    return claimed.first() is not None
