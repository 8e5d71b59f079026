"""The debounced recompute task: every few seconds, recompute tenants with pending work.

A tenant is due when it has dirty SKUs or a full-recompute request AND either a sales
sync just completed (``ready``) or nothing changed for ``recompute_quiet_s`` seconds. A
Postgres advisory lock per tenant keeps replicas from computing the same tenant twice.

Every ``schedule_poll_s`` the same task also requests the daily re-forecast of tenants
whose forecasts start on an earlier local day than today (from ``daily_forecast_hour``
local time, business clock); see :mod:`forecaster.adapters.schedule` for the claim.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid

from forecaster.adapters import dirty, schedule
from forecaster.domain.schedule import due_day
from forecaster.handlers.recompute import RecomputeConfig, recompute_tenant
from forecaster.settings import Settings
from platform_kit.service import Runtime
from platform_kit.service_metrics import ForecastMetrics

log = logging.getLogger(__name__)


async def recompute_loop(runtime: Runtime, stop: asyncio.Event) -> None:
    """Background task registered in the service spec."""
    settings = runtime.settings
    assert isinstance(settings, Settings)
    if not settings.run_recompute or runtime.db is None:
        return
    config = RecomputeConfig(
        max_history_days=settings.max_history_days, partial_limit=settings.partial_recompute_limit
    )
    next_schedule = 0.0
    while not stop.is_set():
        try:
            if time.monotonic() >= next_schedule:
                next_schedule = time.monotonic() + settings.schedule_poll_s
                await schedule_daily(runtime, settings.daily_forecast_hour)
            await recompute_due(runtime, config, settings.recompute_quiet_s)
        except Exception:
            log.exception("recompute round failed")
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), settings.recompute_poll_s)


async def recompute_due(runtime: Runtime, config: RecomputeConfig, quiet_s: float) -> int:
    """One round: recompute every due tenant this replica can lock; returns runs done."""
    assert runtime.db is not None
    async with runtime.uow() as uow:
        tenants = await dirty.due_tenants(uow.session, quiet_s)
    done = 0
    for tenant_id in tenants:
        async with runtime.db.engine.connect() as conn:
            if not await dirty.try_lock(conn, tenant_id):
                continue
            try:
                result = await recompute_tenant(runtime.uow, runtime.clock, tenant_id, config)
                if result:
                    done += 1
                    metrics = runtime.metrics.family(ForecastMetrics)
                    metrics.run_duration.observe(result.duration_s)
                    if result.duration_s > 0:
                        metrics.skus_per_second.set(result.n_series / result.duration_s)
                    for q, value in (result.backtest_error_quantiles or {}).items():
                        metrics.backtest_error.labels(quantile=str(q)).set(value)
            finally:
                await dirty.unlock(conn, tenant_id)
    return done


async def schedule_daily(runtime: Runtime, hour: int) -> list[uuid.UUID]:
    """Claim today's scheduled re-forecast of every due tenant; returns the tenants claimed."""
    assert runtime.db is not None
    now = runtime.clock.now()
    claimed = []
    async with runtime.uow() as uow:
        for c in await schedule.candidates(uow.session):
            day = due_day(now, c.time_zone, hour, c.last_run_as_of, c.scheduled_day)
            if day is not None and await schedule.claim_day(uow.session, c.tenant_id, day):
                claimed.append(c.tenant_id)
        await uow.commit()
    if claimed:
        log.info("daily re-forecast requested for %d tenant(s)", len(claimed))
    return claimed
