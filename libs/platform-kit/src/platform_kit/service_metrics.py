"""Service-level metrics of the ops contract (deploy/prometheus/README.md), defined once.

Each family is created on the service's own registry once per registry: at start for the
services listed in :data:`SERVICE_FAMILIES` (so their families are exposed, unlabelled
ones at zero, before the first job or run), otherwise the first time it is asked for. A
service exposes only the families it uses. Label values are bounded enumerations;
tenant, connection and SKU ids never become labels.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import httpx
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

log = logging.getLogger(__name__)
_HTTPX_DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)
_LONG_BUCKETS = (0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200)


class _ErrorCountingTransport(httpx.AsyncBaseTransport):
    """Calls ``count`` for each request that fails below HTTP (connect, read, timeout)."""

    def __init__(self, inner: httpx.AsyncBaseTransport, count: Callable[[], None]) -> None:
        self.inner = inner
        self.count = count

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await self.inner.handle_async_request(request)
        except httpx.TransportError:
            self.count()
            raise

    async def aclose(self) -> None:
        await self.inner.aclose()


class SyncMetrics:
    """Connector load jobs and provider calls."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.jobs = Counter(
            "restock_sync_jobs_total",
            "Load jobs finished",
            ["source", "mode", "outcome"],
            registry=registry,
        )
        self.duration = Histogram(
            "restock_sync_job_duration_seconds",
            "Load job duration",
            ["source", "mode"],
            buckets=_LONG_BUCKETS,
            registry=registry,
        )
        self.records = Counter(
            "restock_sync_records_total",
            "Records of finished load jobs by stream and outcome",
            ["source", "entity", "outcome"],
            registry=registry,
        )
        self.provider_requests = Counter(
            "restock_provider_requests_total",
            "Provider HTTP calls by status (429 separately)",
            ["provider", "status"],
            registry=registry,
        )
        self.budget_remaining = Gauge(
            "restock_provider_budget_remaining",
            "Lowest remaining provider requests in the current rate window",
            ["provider"],
            registry=registry,
        )

    def response_hook(self, provider: str) -> Callable[[Any], Any]:
        """An httpx response event hook that counts every provider response by status."""

        async def hook(response: Any) -> None:
            self.provider_requests.labels(provider=provider, status=str(response.status_code)).inc()

        return hook

    def client_options(self, provider: str, limits: httpx.Limits | None = None) -> dict[str, Any]:
        """``httpx.AsyncClient`` keyword arguments that count every provider call: responses
        by status (the hook) and transport errors and timeouts as ``status="error"``."""
        counter = self.provider_requests.labels(provider=provider, status="error")
        inner = httpx.AsyncHTTPTransport(limits=limits or _HTTPX_DEFAULT_LIMITS)
        return {
            "event_hooks": {"response": [self.response_hook(provider)]},
            "transport": _ErrorCountingTransport(inner, counter.inc),
        }

    def count_records(
        self,
        source: str,
        counters: Mapping[str, Mapping[str, int]],
        skipped: Mapping[str, int] | None = None,
    ) -> None:
        """Add one finished job's records per stream (``entity``).

        ``counters`` is the job's per-stream ``{"records", "deleted"}`` (what it published;
        ``records`` includes the deletions). Outcomes: ``published`` (new or changed),
        ``deleted`` (explicit deletions), ``skipped`` (bad rows the job left out). Unchanged
        records are not republished and so not counted.
        """
        for stream, counter in counters.items():
            deleted = int(counter.get("deleted", 0))
            published = max(int(counter.get("records", 0)) - deleted, 0)
            self.records.labels(source=source, entity=stream, outcome="published").inc(published)
            self.records.labels(source=source, entity=stream, outcome="deleted").inc(deleted)
        for stream, count in (skipped or {}).items():
            self.records.labels(source=source, entity=stream, outcome="skipped").inc(count)

    async def watch_budget(
        self,
        provider: str,
        lowest: Callable[[], Awaitable[int]],
        stop: asyncio.Event,
        interval_s: float = 5.0,
    ) -> None:
        """Keep ``restock_provider_budget_remaining`` current until ``stop``: every
        ``interval_s`` it reads ``lowest()`` (the connector's shared Postgres budget, so
        every replica reports the same value). A failed read keeps the last value."""
        while not stop.is_set():
            try:
                self.budget_remaining.labels(provider=provider).set(await lowest())
            except Exception as exc:
                log.warning("reading the %s rate budget failed: %s", provider, exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval_s)


class ForecastMetrics:
    """Forecast runs."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.run_duration = Histogram(
            "restock_forecast_run_duration_seconds",
            "Forecast run duration",
            buckets=_LONG_BUCKETS,
            registry=registry,
        )
        self.skus_per_second = Gauge(
            "restock_forecast_skus_per_second",
            "Throughput of the last forecast run",
            registry=registry,
        )
        self.backtest_error = Gauge(
            "restock_forecast_backtest_error",
            "Quantiles of per-SKU backtest error in the last run",
            ["quantile"],
            registry=registry,
        )


class PlanMetrics:
    """Plan recomputes."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.recompute_duration = Histogram(
            "restock_plan_recompute_duration_seconds",
            "Plan recompute duration per tenant",
            buckets=_LONG_BUCKETS,
            registry=registry,
        )


class PoMetrics:
    """Purchase-order submissions."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.submissions = Counter(
            "restock_po_submissions_total",
            "PO submission results",
            ["provider", "outcome"],
            registry=registry,
        )
        self.latency = Histogram(
            "restock_po_submission_latency_seconds",
            "Approval to provider result",
            ["provider"],
            buckets=_LONG_BUCKETS,
            registry=registry,
        )


SERVICE_FAMILIES: dict[str, tuple[Callable[[CollectorRegistry], Any], ...]] = {
    "connector-katana": (SyncMetrics,),
    "connector-xero": (SyncMetrics,),
    "forecaster": (ForecastMetrics,),
    "planner": (PlanMetrics,),
    "po-gateway": (PoMetrics,),
}
"""Service name -> the families its process creates at start (the contract's "emitted by")."""
