"""Prometheus metrics the kit maintains (names per Prometheus conventions).

Each app gets its own registry so several apps can live in one test process. Tenant ids
are never label values.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from platform_kit.service_metrics import SERVICE_FAMILIES

T = TypeVar("T")


class KitMetrics:
    """HTTP, consumer, outbox and relay metrics for one service process, plus the
    service-level families ``SERVICE_FAMILIES`` lists for ``service``."""

    def __init__(self, service: str, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.service = service
        self.http_requests = Counter(
            "restock_http_requests_total",
            "HTTP requests",
            ["method", "route", "status"],
            registry=r,
        )
        self.http_latency = Histogram(
            "restock_http_request_duration_seconds",
            "HTTP request latency",
            ["method", "route"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=r,
        )
        self.consumer_records = Counter(
            "restock_consumer_records_total",
            "Records handled by consumers",
            ["consumer", "topic", "outcome"],
            registry=r,
        )
        self.consumer_lag = Gauge(
            "restock_consumer_lag_records",
            "Records behind the partition end",
            ["consumer", "topic"],
            registry=r,
        )
        self.consumer_batch_seconds = Histogram(
            "restock_consumer_batch_duration_seconds",
            "Time to handle one batch",
            ["consumer"],
            registry=r,
        )
        self.outbox_published = Counter(
            "restock_outbox_published_total", "Outbox rows published", ["topic"], registry=r
        )
        self.outbox_pending = Gauge(
            "restock_outbox_pending_rows", "Outbox rows not yet published", registry=r
        )
        self.outbox_oldest_age = Gauge(
            "restock_outbox_oldest_pending_age_seconds",
            "Age of the oldest unpublished row",
            registry=r,
        )
        self.relay_errors = Counter(
            "restock_relay_errors_total", "Relay cycles that failed", ["kind"], registry=r
        )
        self.broker_resets = Counter(
            "restock_relay_broker_resets_total", "Broker resets detected and refilled", registry=r
        )
        self.dead_letters = Gauge(
            "restock_dead_letters_open", "Dead letters not yet resolved", registry=r
        )
        self.info = Gauge("restock_service_info", "Service identity", ["service"], registry=r)
        self.info.labels(service=service).set(1)
        self._families: dict[Any, Any] = {}
        for cls in SERVICE_FAMILIES.get(service, ()):
            self.family(cls)

    def family(self, cls: Callable[[CollectorRegistry], T]) -> T:
        """The service-level metric family ``cls`` (from ``platform_kit.service_metrics``),
        created on this registry on first use."""
        if cls not in self._families:
            self._families[cls] = cls(self.registry)
        family: T = self._families[cls]
        return family
