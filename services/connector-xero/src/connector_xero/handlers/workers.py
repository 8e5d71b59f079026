"""Background loops: load jobs, PO submissions, webhook drains, the schedule and the budget
gauge."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

from connector_xero.handlers import job_queue, jobs, purchase_orders, schedule, webhooks
from connector_xero.handlers.deps import Deps

log = logging.getLogger(__name__)


async def _pause(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


async def job_loop(deps: Deps, stop: asyncio.Event) -> None:
    """Claim and run load jobs, up to ``max_parallel_jobs`` at once."""
    running: set[asyncio.Task[str]] = set()
    try:
        while not stop.is_set():
            running = {t for t in running if not t.done()}
            job = None
            if len(running) < deps.settings.max_parallel_jobs:
                try:
                    job = await job_queue.claim(deps)
                except Exception as exc:
                    log.warning("claiming a load job failed: %s", exc)
            if job is not None:
                running.add(asyncio.create_task(_run_job(deps, job)))
                continue
            await _pause(stop, deps.settings.worker_poll_s)
    finally:
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)


_OUTCOMES = {"succeeded": "succeeded", "failed": "failed", "crashed": "failed"}


async def _run_job(deps: Deps, job: Any) -> str:
    started = time.monotonic()
    try:
        status = await jobs.run(deps, job)
    except Exception:
        log.exception("load job crashed; it resumes when its lease expires")
        status = "crashed"
    outcome = _OUTCOMES.get(status)
    if deps.metrics is not None and outcome is not None:
        deps.metrics.jobs.labels(source="xero", mode=job.mode, outcome=outcome).inc()
        deps.metrics.duration.labels(source="xero", mode=job.mode).observe(
            time.monotonic() - started
        )
        try:
            progress = await job_queue.progress_of(deps, job.job_id)
            deps.metrics.count_records("xero", progress.get("counters", {}))
        except Exception as exc:
            log.warning("counting the records of job %s failed: %s", job.job_id, exc)
    return status


async def budget_loop(deps: Deps, stop: asyncio.Event) -> None:
    """Publish the lowest remaining Xero budget (shared in Postgres) as a gauge."""
    if deps.metrics is not None:
        await deps.metrics.watch_budget("xero", deps.budget.lowest_remaining, stop)


async def po_loop(deps: Deps, stop: asyncio.Event) -> None:
    """Submit pending purchase orders one by one."""
    while not stop.is_set():
        try:
            row = await purchase_orders.claim(deps)
            if row is not None:
                await purchase_orders.submit(deps, row)
                continue
        except Exception:
            log.exception("PO submission failed unexpectedly; retried after its lease")
        await _pause(stop, deps.settings.worker_poll_s)


async def webhook_loop(deps: Deps, stop: asyncio.Event) -> None:
    """Drain coalesced webhook events."""
    while not stop.is_set():
        try:
            for connection_id in await webhooks.due_connections(deps):
                await webhooks.drain(deps, connection_id)
        except Exception:
            log.exception("webhook drain failed; retried next tick")
        await _pause(stop, max(deps.settings.worker_poll_s, 0.2))


async def schedule_loop(deps: Deps, stop: asyncio.Event) -> None:
    """Queue scheduled loads."""
    while not stop.is_set():
        try:
            await schedule.tick(deps)
        except Exception:
            log.exception("schedule tick failed")
        await _pause(stop, deps.settings.schedule_tick_s)
