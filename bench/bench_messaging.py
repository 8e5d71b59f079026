"""Events/s through outbox → relay → broker → idempotent consumer (batched inbox + effect),
next to raw aiokafka produce → consume of the same payloads, measured in one run on the
embedded Postgres and broker."""

from __future__ import annotations

import asyncio
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from sqlalchemy import Column, Integer, Table, func, select
from sqlalchemy.dialects.postgresql import UUID

from platform_kit.db import Database, UnitOfWork, service_metadata
from platform_kit.db.migrations import ensure_database
from platform_kit.infra.broker import EmbeddedBroker
from platform_kit.infra.postgres import EmbeddedPostgres
from platform_kit.messaging.admin import all_topic_specs, ensure_topics
from platform_kit.messaging.consumer import ConsumerLoop, Subscription
from platform_kit.messaging.relay import OutboxRelay
from platform_kit.metrics import KitMetrics
from restock_contracts.tenancy.v1 import TenantUpdated
from restock_contracts.topics import TENANTS

N_EVENTS = 20_000
N_RAW = 50_000
metadata = service_metadata()
effect = Table(
    "effect",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("event_id", UUID(as_uuid=True), nullable=False),
)


def _event(tenant: uuid.UUID, i: int) -> Any:
    return TENANTS.envelope(
        TenantUpdated(
            tenant_id=tenant,
            name=f"tenant {i}",
            time_zone="UTC",
            base_currency="EUR",
            primary_source="katana",
        ),
        tenant_id=tenant,
        producer="bench",
    )


async def raw_kafka(bootstrap: str, payloads: list[bytes]) -> tuple[float, float]:
    topic = "bench.raw.v1"
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=2)
    await producer.start()
    started = time.perf_counter()
    futures = [
        await producer.send(topic, p, key=str(i % 16).encode()) for i, p in enumerate(payloads)
    ]
    await asyncio.gather(*futures)
    produced = time.perf_counter() - started
    await producer.stop()
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id="bench-raw",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        session_timeout_ms=2000,
        heartbeat_interval_ms=500,
    )
    await consumer.start()
    seen = 0
    started = time.perf_counter()
    while seen < len(payloads):
        batches = await consumer.getmany(timeout_ms=500, max_records=500)
        for tp, messages in batches.items():
            seen += len(messages)
            await consumer.commit({tp: messages[-1].offset + 1})
    consumed = time.perf_counter() - started
    await consumer.stop()
    return len(payloads) / produced, len(payloads) / consumed


async def pipeline(db: Database, bootstrap: str, tenants: list[uuid.UUID]) -> float:
    async def on_events(envelopes: list[Any], uow: UnitOfWork) -> None:
        await uow.session.execute(effect.insert(), [{"event_id": e.event_id} for e in envelopes])

    metrics = KitMetrics("bench")
    relay = OutboxRelay(
        db=db,
        bootstrap=bootstrap,
        service="bench",
        topics=all_topic_specs(),
        metrics=metrics,
        poll_interval_s=0.01,
        retention=timedelta(hours=1),
    )
    consumer = ConsumerLoop(
        name="bench",
        db=db,
        bootstrap=bootstrap,
        metrics=metrics,
        subscriptions=[Subscription(TENANTS, batch_handlers={"tenancy.tenant_updated": on_events})],
        session_timeout_ms=2000,
    )
    stop = asyncio.Event()
    consumer_task = asyncio.create_task(consumer.run(stop))
    await consumer.ready.wait()
    await asyncio.sleep(1.0)
    started = time.perf_counter()
    for chunk in range(0, N_EVENTS, 1000):
        async with UnitOfWork(db) as uow:
            for i in range(chunk, chunk + 1000):
                uow.publish(_event(tenants[i % len(tenants)], i), TENANTS.name)
            await uow.commit()
    write_s = time.perf_counter() - started
    relay_task = asyncio.create_task(relay.run(stop))
    while True:
        async with db.sessions() as session:
            done = (await session.execute(select(func.count()).select_from(effect))).scalar_one()
        if done >= N_EVENTS:
            break
        await asyncio.sleep(0.05)
    elapsed = time.perf_counter() - started
    stop.set()
    await asyncio.gather(consumer_task, relay_task)
    print(f"messaging.outbox_write_events_per_s: {N_EVENTS / write_s:.0f}")
    return N_EVENTS / elapsed


async def main_async() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="restock-bench-"))
    pg = EmbeddedPostgres(workdir / "pg").start()
    broker = EmbeddedBroker().start()
    try:
        await ensure_database(pg.url, "bench")
        db = Database(
            pg.url.replace("postgresql://", "postgresql+asyncpg://").rsplit("/", 1)[0] + "/bench",
            metadata,
            application_name="bench",
        )
        async with db.engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        await ensure_topics(broker.bootstrap, all_topic_specs())
        tenants = [uuid.uuid4() for _ in range(16)]
        payload = _event(tenants[0], 0).to_json_bytes()
        print(f"messaging.payload_bytes: {len(payload)}")
        produce, consume = await raw_kafka(broker.bootstrap, [payload] * N_RAW)
        print(f"messaging.raw_aiokafka_produce_per_s: {produce:.0f}")
        print(f"messaging.raw_aiokafka_consume_commit_per_s: {consume:.0f}")
        rate = await pipeline(db, broker.bootstrap, tenants)
        print(
            f"messaging.outbox_to_idempotent_consumer_events_per_s: {rate:.0f} "
            f"({N_EVENTS} events; end to end incl. relay, broker, inbox, effect, offset commit)"
        )
        print(f"messaging.pipeline_vs_raw_consume_ratio: {rate / consume:.2f}")
        await db.dispose()
    finally:
        broker.stop()
        pg.destroy()


def main() -> None:
    asyncio.run(main_async())


if __name__ == "__main__":
    main()
