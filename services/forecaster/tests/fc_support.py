"""Helpers for the forecaster tests, importable by name (fixtures live in conftest)."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.structs import TopicPartition
from sqlalchemy import text

from forecaster.app import build_spec
from forecaster.settings import Settings
from platform_kit.db import Database, UnitOfWork
from platform_kit.service import create_app
from platform_kit.testing.servers import serve_app
from platform_kit.testing.settings import service_test_settings
from restock_contracts.sales.v1 import SalesLineRecord, SalesLinesChanged
from restock_contracts.topics import FORECASTS

NOW = "2026-06-01T06:00:00+00:00"


CONNECTION = uuid.UUID("00000000-0000-0000-0000-0000000000c1")


def make_settings(
    pg_url: str, kafka: str | None, keys_dir: Path, db_name: str, **extra: Any
) -> Settings:
    values = service_test_settings(pg_url, db_name, keys_dir, kafka=kafka, now=NOW)
    values.update(recompute_poll_s=0.2, recompute_quiet_s=1.0)
    values.update(extra)
    return Settings.model_validate(values)


@contextlib.asynccontextmanager
async def running_service(settings: Settings) -> AsyncIterator[tuple[str, Any]]:
    """Serve the forecaster; yield its base URL and runtime once its consumer has joined."""
    app = create_app(build_spec(settings))
    async with serve_app(app) as url:
        runtime = app.state.runtime
        if runtime.consumer is not None:
            await asyncio.wait_for(runtime.consumer.ready.wait(), 60)
        yield url, runtime


def line(
    line_id: str,
    variant: str,
    location: str,
    at: datetime,
    qty: float | int,
    status: str = "fulfilled",
    updated_at: datetime | None = None,
    **extra: Any,
) -> SalesLineRecord:
    return SalesLineRecord(
        order_id=f"o-{line_id}",
        line_id=line_id,
        variant_id=variant,
        location_id=location,
        order_date=at,
        quantity=Decimal(str(qty)),
        currency="EUR",
        fx_rate_to_base=Decimal(1),
        raw_status=status.upper(),
        status=status,
        updated_at=updated_at or at,
        **extra,
    )


def lines_event(
    records: list[SalesLineRecord],
    sync_id: uuid.UUID | None,
    seq: int = 1,
    mode: str = "incremental",
) -> SalesLinesChanged:
    return SalesLinesChanged(
        source="katana",
        connection_id=CONNECTION,
        sync_id=sync_id,
        mode=mode,
        batch_seq=seq,
        records=records,
    )


class Bus:
    """Produce envelopes and collect this test's forecast events from the real broker."""

    def __init__(self, bootstrap: str) -> None:
        self.bootstrap = bootstrap
        self.producer = AIOKafkaProducer(bootstrap_servers=bootstrap, max_request_size=1048576)
        self.consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest"
        )
        self.events: list[Any] = []
        self.started = False

    async def start(self) -> None:
        """Connect; read every partition of the forecasts topic from the beginning."""
        self.started = True
        await self.producer.start()
        await self.consumer.start()
        partitions: set[int] | None = None
        for _ in range(100):
            await self.consumer.topics()
            partitions = self.consumer.partitions_for_topic(FORECASTS.name)
            if partitions:
                break
            await asyncio.sleep(0.1)
        assert partitions, f"{FORECASTS.name} has no partitions"
        assigned = [TopicPartition(FORECASTS.name, p) for p in sorted(partitions)]
        self.consumer.assign(assigned)
        await self.consumer.seek_to_beginning(*assigned)

    async def stop(self) -> None:
        await self.producer.stop()
        await self.consumer.stop()

    async def send(self, topic: Any, envelope: Any) -> None:
        await self.producer.send_and_wait(topic.name, envelope.to_json_bytes(), key=envelope.key)

    async def collect(
        self, tenant_id: uuid.UUID, until: Callable[[list[Any]], bool], timeout_s: float = 90.0
    ) -> list[Any]:
        deadline = asyncio.get_running_loop().time() + timeout_s
        while not until([e for e in self.events if e.tenant_id == tenant_id]):
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError("forecast events did not arrive in time")
            batches = await self.consumer.getmany(timeout_ms=300)
            for messages in batches.values():
                self.events.extend(FORECASTS.decode(m.value) for m in messages if m.value)
        return [e for e in self.events if e.tenant_id == tenant_id]


async def apply_event(db: Database, fn: Any, tenant: uuid.UUID, payload: Any) -> None:
    """Run one ingest use case in its own unit of work."""
    async with UnitOfWork(db) as uow:
        await fn(uow, tenant, payload)
        await uow.commit()


async def outbox_forecast_events(db: Database, tenant: uuid.UUID) -> list[Any]:
    """This tenant's forecast events written to the outbox, oldest first."""
    async with db.sessions() as s:
        rows = await s.execute(
            text("select value from outbox where topic = :t and tenant_id = :x order by id"),
            {"t": FORECASTS.name, "x": tenant},
        )
        return [FORECASTS.decode(r[0]) for r in rows]
