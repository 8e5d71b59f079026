"""The sending sweep every replica runs (orders are taken under their row lock, so
replicas never re-request the same attempt twice)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from platform_kit.service_metrics import PoMetrics
from po_gateway.handlers import sweep
from po_gateway.settings import Settings

log = logging.getLogger(__name__)


async def sweep_once(runtime: Any) -> list[sweep.Swept]:
    """One pass over the orders stuck in sending; failures are counted and timed."""
    settings: Settings = runtime.settings
    metrics = runtime.metrics.family(PoMetrics)
    async with runtime.uow() as uow:
        found = await sweep.stuck(uow, runtime.clock, settings.sending_timeout_s)
    done = []
    for tenant_id, draft_id in found:
        async with runtime.uow() as uow:
            swept = await sweep.sweep_one(
                uow,
                runtime.clock,
                tenant_id,
                draft_id,
                timeout_s=settings.sending_timeout_s,
                max_requests=settings.sending_max_requests,
            )
        if swept is None:
            continue
        done.append(swept)
        log.warning(
            "order %s stuck in sending: %s (attempt %s)", draft_id, swept.action, swept.attempt
        )
        if swept.action == "failed":
            metrics.submissions.labels(swept.source, "failed").inc()
            if swept.latency_s is not None:
                metrics.latency.labels(swept.source).observe(swept.latency_s)
    return done


async def sending_sweep(runtime: Any, stop: asyncio.Event) -> None:
    """Every ``sweep_poll_s``: re-request or fail orders stuck in sending."""
    settings: Settings = runtime.settings
    if not settings.sweep_enabled:
        return
    while not stop.is_set():
        try:
            await sweep_once(runtime)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("sending sweep failed")
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), settings.sweep_poll_s)
