"""Background loops every replica runs: job runner, webhook flusher, scheduler, PO worker,
budget gauge.

Each loop is safe to run on many replicas at once: work is claimed with leases or row
locks in Postgres.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from connector_katana.adapters.repository import job_status
from connector_katana.domain.reads import READS
from connector_katana.handlers.deps import Deps
from connector_katana.handlers.jobs import claim_job
from connector_katana.handlers.loader import run_job
from connector_katana.handlers.po import claim_submission, process_submission
from connector_katana.handlers.schedule import schedule_due
from connector_katana.handlers.webhooks import flush_due

log = logging.getLogger(__name__)


async def _loop(
    stop: asyncio.Event, name: str, interval: float, step: Callable[[], Awaitable[bool]]
) -> None:
    while not stop.is_set():
        busy = False
        try:
            busy = await step()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("%s step failed", name)
        if not busy:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), interval)


def deps_of(runtime: Any) -> Deps:
    """The runtime's connector dependencies (built on startup)."""
    return runtime.extras["deps"]


async def job_runner(runtime: Any, stop: asyncio.Event) -> None:
    """Lease and run load jobs, one at a time per replica."""
    deps = deps_of(runtime)
    if not deps.settings.runner_enabled:
        return

    async def step() -> bool:
        job_id = await claim_job(deps)
        if job_id is None:
            return False
        started = time.monotonic()
        await run_job(deps, job_id)
        await _count_job(deps, job_id, time.monotonic() - started)
        return True

    await _loop(stop, "job runner", deps.settings.job_poll_s, step)


_OUTCOMES = {"succeeded": "succeeded", "partial": "incomplete", "failed": "failed"}


async def _count_job(deps: Deps, job_id: Any, seconds: float) -> None:
    """Job outcome and duration on the ops-contract metrics (finished jobs only)."""
    found = await job_status(deps.db, job_id)
    if deps.metrics is None or found is None or found[0] not in _OUTCOMES:
        return
    status, mode, progress = found
    deps.metrics.jobs.labels(source="katana", mode=mode, outcome=_OUTCOMES[status]).inc()
    deps.metrics.duration.labels(source="katana", mode=mode).observe(seconds)
    skipped: dict[str, int] = {}
    for read, state in progress.get("reads", {}).items():
        if read in READS and state.get("skipped"):
            stream = READS[read].stream
            skipped[stream] = skipped.get(stream, 0) + int(state["skipped"])
    deps.metrics.count_records("katana", progress.get("counters", {}), skipped)


async def budget_gauge(runtime: Any, stop: asyncio.Event) -> None:
    """Publish the lowest remaining Katana budget (shared in Postgres) as a gauge."""
    deps = deps_of(runtime)
    if deps.metrics is not None:
        await deps.metrics.watch_budget("katana", deps.budget.lowest_remaining, stop)


async def webhook_flusher(runtime: Any, stop: asyncio.Event) -> None:
    """Re-read coalesced webhook targets once their window passed."""
    deps = deps_of(runtime)

    async def step() -> bool:
        await flush_due(deps)
        return False

    await _loop(stop, "webhook flusher", deps.settings.webhook_flush_poll_s, step)


async def scheduler(runtime: Any, stop: asyncio.Event) -> None:
    """Queue scheduled incremental and refresh loads."""
    deps = deps_of(runtime)
    if not deps.settings.scheduler_enabled:
        return

    async def step() -> bool:
        await schedule_due(deps)
        return False

    await _loop(stop, "scheduler", deps.settings.scheduler_poll_s, step)


async def po_worker(runtime: Any, stop: asyncio.Event) -> None:
    """Create requested purchase orders (leases one submission at a time)."""
    deps = deps_of(runtime)

    async def step() -> bool:
        row = await claim_submission(deps)
        if row is None:
            return False
        await process_submission(deps, row.submission_id, row.attempt)
        return True

    await _loop(stop, "po worker", deps.settings.po_worker_poll_s, step)


BACKGROUND = (job_runner, webhook_flusher, scheduler, po_worker, budget_gauge)
