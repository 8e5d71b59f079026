"""The debounced re-plan task: tenants flagged dirty by consumers or settings edits are
re-planned once no change arrived for ``replan_quiet_s`` seconds. A Postgres advisory
lock per tenant keeps replicas from planning the same tenant twice."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from planner.adapters import state
from planner.handlers.replan import replan_tenant
from planner.settings import Settings
from platform_kit.service import Runtime
from platform_kit.service_metrics import PlanMetrics

log = logging.getLogger(__name__)


async def replan_loop(runtime: Runtime, stop: asyncio.Event) -> None:
    """Background task registered in the service spec."""
    settings = runtime.settings
    assert isinstance(settings, Settings)
    if not settings.run_replan or runtime.db is None:
        return
    while not stop.is_set():
        try:
            await replan_due(runtime, settings.replan_quiet_s)
        except Exception:
            log.exception("re-plan round failed")
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), settings.replan_poll_s)


async def replan_due(runtime: Runtime, quiet_s: float) -> int:
    """One round: re-plan every due tenant this replica can lock; returns plans stored."""
    assert runtime.db is not None
    async with runtime.uow() as uow:
        tenants = await state.due_tenants(uow.session, quiet_s)
    done = 0
    for tenant_id in tenants:
        async with runtime.db.engine.connect() as conn:
            if not await state.try_lock(conn, tenant_id):
                continue
            try:
                report = await replan_tenant(runtime.uow, runtime.clock, tenant_id)
                if "total_s" in report.timings:
                    runtime.metrics.family(PlanMetrics).recompute_duration.observe(
                        report.timings["total_s"]
                    )
                done += bool(report.plan_version)
                log.info("re-planned %s: %s", tenant_id, report)
            finally:
                await state.unlock(conn, tenant_id)
    return done
