"""The messaging reliability scenarios (issue 2 §6), against a real broker and Postgres."""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import probe
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from platform_kit.db import Database
from platform_kit.messaging import dlq
from platform_kit.messaging.admin import all_topic_specs, ensure_topics
from restock_contracts.catalog.v1 import SupplierRecord, SuppliersChanged
from restock_contracts.sync.v1 import StreamCompleted
from restock_contracts.topics import SUPPLIERS, TENANTS

pytestmark = [pytest.mark.asyncio, pytest.mark.faults]


@contextlib.asynccontextmanager
async def running(*loops: Any) -> AsyncIterator[asyncio.Event]:
    stop = asyncio.Event()
    tasks = [asyncio.create_task(loop.run(stop)) for loop in loops]
    try:
        yield stop
    finally:
        stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 30)


async def all_once(db: Database, tenant: uuid.UUID, ids: list[uuid.UUID]) -> bool:
    counts = await probe.effects(db, tenant)
    if any(c > 1 for c in counts.values()):
        raise AssertionError(f"duplicated effects: { {k: v for k, v in counts.items() if v > 1} }")
    return set(counts) == set(ids)


async def test_duplicate_delivery_gives_one_effect(
    pg_url: str, private_broker: Any, unique_name: str
) -> None:
    db = await probe.make_db(pg_url, unique_name)
    await ensure_topics(private_broker.bootstrap, all_topic_specs(2))
    tenant = uuid.uuid4()
    events = [probe.tenant_event(tenant, i) for i in range(20)]
    producer = AIOKafkaProducer(bootstrap_servers=private_broker.bootstrap)
    await producer.start()
    for _ in range(3):
        for env in events:
            await producer.send_and_wait(TENANTS.name, env.to_json_bytes(), key=env.key)
    await producer.stop()
    consumer = probe.new_consumer(db, private_broker.bootstrap, "dup")
    async with running(consumer):
        await probe.wait_for(lambda: all_once(db, tenant, [e.event_id for e in events]))
        await probe.wait_for(lambda: _processed(consumer, 60))
    assert await all_once(db, tenant, [e.event_id for e in events])
    await db.dispose()


async def _processed(consumer: Any, n: int) -> bool:
    return bool(consumer.processed >= n)


async def test_consumer_killed_between_db_commit_and_offset_commit(
    pg_url: str, private_broker: Any, unique_name: str
) -> None:
    db = await probe.make_db(pg_url, unique_name)
    relay = probe.new_relay(db, private_broker.bootstrap)
    tenant = uuid.uuid4()
    events = [probe.tenant_event(tenant, i) for i in range(50)]
    await probe.write_events(db, events)
    async with running(relay):
        await probe.wait_for(lambda: _published(relay, 50))
    proc = await asyncio.to_thread(
        subprocess.run,
        [
            sys.executable,
            str(Path(__file__).parent / "kill_consumer.py"),
            db.url,
            private_broker.bootstrap,
            "crash",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == -9, proc.stderr[-2000:]
    assert "dying before offset commit" in proc.stdout
    before = await probe.effects(db, tenant)
    assert sum(before.values()) > 0, "the killed consumer must have committed its DB work"
    consumer = probe.new_consumer(db, private_broker.bootstrap, "crash")
    async with running(consumer):
        await probe.wait_for(lambda: all_once(db, tenant, [e.event_id for e in events]))
        await probe.wait_for(lambda: _processed(consumer, sum(before.values())))
    assert await all_once(db, tenant, [e.event_id for e in events])
    await db.dispose()


async def _published(relay: Any, n: int) -> bool:
    return bool(relay.published_total >= n)


async def test_poison_message_goes_to_dlq_and_partition_keeps_flowing(
    pg_url: str, private_broker: Any, unique_name: str
) -> None:
    db = await probe.make_db(pg_url, unique_name)
    await ensure_topics(private_broker.bootstrap, all_topic_specs(2))
    tenant = uuid.uuid4()
    good_before = [probe.tenant_event(tenant, i) for i in range(5)]
    rejected = probe.tenant_event(tenant, 99, name="poison")
    good_after = [probe.tenant_event(tenant, i) for i in range(5, 10)]
    producer = AIOKafkaProducer(bootstrap_servers=private_broker.bootstrap)
    await producer.start()
    key = str(tenant).encode()
    for env in good_before:
        await producer.send_and_wait(TENANTS.name, env.to_json_bytes(), key=key)
    await producer.send_and_wait(TENANTS.name, b"{not json", key=key)
    await producer.send_and_wait(TENANTS.name, rejected.to_json_bytes(), key=key)
    for env in good_after:
        await producer.send_and_wait(TENANTS.name, env.to_json_bytes(), key=key)
    await producer.stop()

    consumer = probe.new_consumer(db, private_broker.bootstrap, "poison")
    relay = probe.new_relay(db, private_broker.bootstrap)
    good = [e.event_id for e in good_before + good_after]
    async with running(consumer, relay):
        await probe.wait_for(lambda: all_once(db, tenant, good))
        await probe.wait_for(lambda: _dead_letters(db, 2))
        await probe.wait_for(lambda: _published(relay, 2))
    letters = await dlq.list_dead_letters(db)
    reasons = sorted(letter["reason"] for letter in letters)
    assert any("contract violation" in r and "invalid_json" in r for r in reasons), reasons
    assert any("probe refuses events named 'poison'" in r for r in reasons), reasons

    dlq_consumer = AIOKafkaConsumer(
        f"{TENANTS.name}.dlq",
        bootstrap_servers=private_broker.bootstrap,
        auto_offset_reset="earliest",
        group_id="dlq-reader",
    )
    await dlq_consumer.start()
    got: list[Any] = []
    for _ in range(50):
        batch = await dlq_consumer.getmany(timeout_ms=200)
        got += [m for ms in batch.values() for m in ms]
        if len(got) >= 2:
            break
    await dlq_consumer.stop()
    assert len(got) == 2
    assert all(dict(m.headers).get("reason") for m in got)

    results = await dlq.replay_dead_letters(db, [consumer])
    assert [r.ok for r in results] == [False, False], "a replay of unfixed poison fails again"
    assert len(await dlq.list_dead_letters(db)) == 2
    await db.dispose()


async def _dead_letters(db: Database, n: int) -> bool:
    return len(await dlq.list_dead_letters(db)) >= n


async def test_broker_paused_ten_seconds_loses_nothing(
    pg_url: str, private_broker: Any, unique_name: str
) -> None:
    db = await probe.make_db(pg_url, unique_name)
    relay = probe.new_relay(db, private_broker.bootstrap)
    consumer = probe.new_consumer(db, private_broker.bootstrap, "paused")
    tenant = uuid.uuid4()
    events = [probe.tenant_event(tenant, i) for i in range(300)]
    async with running(relay, consumer):
        await probe.write_events(db, events[:100])
        await probe.wait_for(lambda: all_once(db, tenant, [e.event_id for e in events[:100]]))
        private_broker.pause()
        try:
            for chunk in range(4):
                await probe.write_events(db, events[100 + chunk * 50 : 150 + chunk * 50])
                await asyncio.sleep(2.5)
        finally:
            private_broker.resume()
        await probe.wait_for(
            lambda: all_once(db, tenant, [e.event_id for e in events]), timeout_s=90
        )
    await db.dispose()


async def test_postgres_restarted_under_the_relay_loses_nothing(
    private_postgres: Any, private_broker: Any
) -> None:
    db = await probe.make_db(private_postgres.url, "restarts")
    relay = probe.new_relay(db, private_broker.bootstrap)
    consumer = probe.new_consumer(db, private_broker.bootstrap, "pgrestart")
    tenant = uuid.uuid4()
    events = [probe.tenant_event(tenant, i) for i in range(300)]
    async with running(relay, consumer):
        for chunk in range(3):
            await probe.write_events(db, events[chunk * 100 : (chunk + 1) * 100])
            await asyncio.sleep(0.05)
            await asyncio.to_thread(private_postgres.restart, 1.0)
        await probe.wait_for(
            lambda: _safe_all_once(db, tenant, [e.event_id for e in events]), timeout_s=90
        )
    await db.dispose()


async def _safe_all_once(db: Database, tenant: uuid.UUID, ids: list[uuid.UUID]) -> bool:
    try:
        return await all_once(db, tenant, ids)
    except AssertionError:
        raise
    except Exception:
        return False


async def test_broker_restarted_empty_is_refilled_from_the_outbox(
    pg_url: str, private_broker: Any, unique_name: str
) -> None:
    db = await probe.make_db(pg_url, unique_name)
    relay = probe.new_relay(db, private_broker.bootstrap)
    consumer = probe.new_consumer(db, private_broker.bootstrap, "reset")
    tenant = uuid.uuid4()
    before = [probe.tenant_event(tenant, i) for i in range(100)]
    after = [probe.tenant_event(tenant, i) for i in range(100, 150)]
    async with running(relay, consumer):
        await probe.write_events(db, before)
        await probe.wait_for(lambda: all_once(db, tenant, [e.event_id for e in before]))
        private_broker.restart_empty()
        await probe.write_events(db, after)
        await probe.wait_for(
            lambda: all_once(db, tenant, [e.event_id for e in before + after]), timeout_s=90
        )
    assert relay.metrics.broker_resets._value.get() >= 1
    fresh_db = await probe.make_db(pg_url, unique_name + "b")
    fresh = probe.new_consumer(fresh_db, private_broker.bootstrap, "fresh-after-reset")
    async with running(fresh):
        await probe.wait_for(
            lambda: all_once(fresh_db, tenant, [e.event_id for e in before + after]), timeout_s=60
        )
    await db.dispose()
    await fresh_db.dispose()


def _supplier_batch(
    tenant: uuid.UUID, sync_id: uuid.UUID, seq: int, records: list[SupplierRecord]
) -> Any:
    return SUPPLIERS.envelope(
        SuppliersChanged(
            source="katana",
            connection_id=uuid.UUID(int=1),
            sync_id=sync_id,
            mode="refresh",
            batch_seq=seq,
            records=records,
        ),
        tenant_id=tenant,
        producer="probe",
    )


def _supplier(sid: str, name: str | None = None, deleted: bool = False) -> SupplierRecord:
    return SupplierRecord(
        supplier_id=sid,
        name=name or f"Supplier {sid}",
        currency="EUR",
        deleted=deleted,
        updated_at=datetime.now(UTC),
    )


def _completed(tenant: uuid.UUID, sync_id: uuid.UUID, batches: int) -> Any:
    return SUPPLIERS.envelope(
        StreamCompleted(
            source="katana",
            connection_id=uuid.UUID(int=1),
            sync_id=sync_id,
            mode="refresh",
            stream="suppliers",
            batch_count=batches,
            record_count=batches,
        ),
        tenant_id=tenant,
        producer="probe",
    )


async def _suppliers(db: Database, tenant: uuid.UUID) -> set[str]:
    async with db.sessions() as session:
        rows = await session.execute(
            probe.supplier.select().where(probe.supplier.c.tenant_id == tenant)
        )
        return {r.supplier_id for r in rows}


async def test_refresh_with_a_missing_batch_deletes_nothing(
    pg_url: str, private_broker: Any, unique_name: str
) -> None:
    db = await probe.make_db(pg_url, unique_name)
    relay = probe.new_relay(db, private_broker.bootstrap)
    consumer = probe.new_consumer(db, private_broker.bootstrap, "refresh")
    tenant = uuid.uuid4()
    first, second = uuid.uuid4(), uuid.uuid4()
    seed = _supplier_batch(
        tenant, uuid.uuid4(), 1, [_supplier("A"), _supplier("B"), _supplier("C")]
    )
    incomplete = [
        _supplier_batch(tenant, first, 1, [_supplier("A")]),
        _supplier_batch(tenant, first, 2, [_supplier("B", name="POISON")]),
        _supplier_batch(tenant, first, 3, [_supplier("C", deleted=True)]),
        _completed(tenant, first, 3),
    ]
    complete = [
        _supplier_batch(tenant, second, 1, [_supplier("A")]),
        _supplier_batch(tenant, second, 2, [_supplier("B")]),
        _supplier_batch(tenant, second, 3, [_supplier("C", deleted=True)]),
        _completed(tenant, second, 3),
    ]
    async with running(relay, consumer):
        for envelopes in ([seed], incomplete):
            async with probe.UnitOfWork(db) as uow:
                for env in envelopes:
                    uow.publish(env, SUPPLIERS.name)
                await uow.commit()
        await probe.wait_for(lambda: _dead_letters(db, 1))
        await probe.wait_for(lambda: _processed(consumer, 5))
        assert await _suppliers(db, tenant) == {"A", "B", "C"}, (
            "a dead-lettered batch must delete nothing"
        )
        async with probe.UnitOfWork(db) as uow:
            for env in complete:
                uow.publish(env, SUPPLIERS.name)
            await uow.commit()
        await probe.wait_for(lambda: _gone(db, tenant, "C"))
    assert await _suppliers(db, tenant) == {"A", "B"}
    await db.dispose()


async def _gone(db: Database, tenant: uuid.UUID, sid: str) -> bool:
    return sid not in await _suppliers(db, tenant)
