"""Service-level metrics of the ops contract (deploy/prometheus/README.md), defined once.

Each family is created on the service's own registry the first time it is asked for, so
a service exposes only the families it uses. Label values are bounded enumerations;
tenant, connection and SKU ids never become labels.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

_LONG_BUCKETS = (0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200)


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
            "Records read from the provider",
            ["source", "entity"],
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
