"""Shared builders for the planner tests: forecasts with known quantiles, snapshots."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np

from planner.domain.snapshot import Forecast, Sku, Snapshot
from platform_kit.testing.settings import service_test_settings
from restock_forecasting.grid import QUANTILE_HORIZONS_DAYS, QUANTILE_LEVELS

TODAY = date(2026, 6, 1)
HZ = np.asarray(QUANTILE_HORIZONS_DAYS, dtype=np.float64)
LV = np.asarray(QUANTILE_LEVELS, dtype=np.float64)


def flat_forecast(rate: float, as_of: date = TODAY, demand_class: str = "smooth") -> Forecast:
    """Deterministic demand: ``rate`` per day, every quantile equal to the mean."""
    q = np.repeat((rate * HZ)[:, None], LV.size, axis=1)
    return Forecast(as_of, np.full(365, rate), HZ, LV, q, demand_class)


def forecast_lists(rate: float) -> dict[str, Any]:
    """The SkuForecast contract fields for a flat forecast."""
    return {
        "mean_daily": [rate] * 365,
        "quantile_horizons_days": [int(h) for h in HZ],
        "quantile_levels": [float(x) for x in LV],
        "cumulative_quantiles": [[rate * h] * LV.size for h in HZ],
    }


def snapshot(**kw: Any) -> Snapshot:
    """A one-SKU snapshot ("a" at "wh") unless told otherwise."""
    base: dict[str, Any] = {
        "today": TODAY,
        "primary_source": "katana",
        "skus": {"a": Sku("a", "Widget", sku="W-1", cost=2.0, price=5.0)},
        "stock": {("a", "wh"): (100.0, 0.0)},
        "forecasts": {("a", "wh"): flat_forecast(10.0)},
    }
    base.update(kw)
    return Snapshot(**base)


NOW = "2026-06-01T06:00:00+00:00"


def make_settings(pg_url: str, kafka: str, keys_dir: Any, db_name: str, **extra: Any) -> Any:
    """Planner settings for a test: own database, fast debounce, fixed clock."""
    from planner.settings import Settings

    values = service_test_settings(pg_url, db_name, keys_dir, kafka=kafka, now=NOW)
    values.update(replan_poll_s=0.2, replan_quiet_s=0.5)
    values.update(extra)
    return Settings.model_validate(values)


class Bus:
    """Produce envelopes to the real broker and collect planner events from it."""

    def __init__(self, bootstrap: str, topics: list[Any]) -> None:
        from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

        self.topics = {t.name: t for t in topics}
        self.producer = AIOKafkaProducer(bootstrap_servers=bootstrap, max_request_size=1048576)
        self.consumer = AIOKafkaConsumer(
            *self.topics,
            bootstrap_servers=bootstrap,
            group_id=None,
            auto_offset_reset="earliest",
            metadata_max_age_ms=1000,
        )
        self.events: list[Any] = []

    async def start(self) -> None:
        await self.producer.start()
        await self.consumer.start()

    async def stop(self) -> None:
        await self.producer.stop()
        await self.consumer.stop()

    async def send(self, topic: Any, payload: Any, tenant_id: Any) -> None:
        env = topic.envelope(payload, tenant_id=tenant_id, producer="test")
        await self.producer.send_and_wait(topic.name, env.to_json_bytes(), key=env.key)

    async def wait_for(self, tenant_id: Any, predicate: Any, timeout_s: float = 60.0) -> list[Any]:
        """Poll until ``predicate(events of the tenant)`` holds; return those events."""
        import asyncio

        deadline = asyncio.get_running_loop().time() + timeout_s
        while True:
            mine = [e for e in self.events if e.tenant_id == tenant_id]
            if predicate(mine):
                return mine
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"events not seen in time: {[e.event_type for e in mine]}")
            batches = await self.consumer.getmany(timeout_ms=200)
            for tp, messages in batches.items():
                topic = self.topics[tp.topic]
                self.events.extend(topic.decode(m.value) for m in messages if m.value)
