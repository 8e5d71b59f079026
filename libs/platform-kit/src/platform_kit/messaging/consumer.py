"""The idempotent consumer loop (architecture §2), written once for every service.

For each partition batch from ``getmany``:

1. decode every record with its topic's contract; undecodable ones are poison;
2. in ONE unit of work: insert inbox rows ``(consumer, event_id)`` with ON CONFLICT DO
   NOTHING, run the handler for each event seen for the first time, write dead letters
   (a ``dead_letter`` row plus a ``<topic>.dlq`` record through the outbox) for poison,
   commit;
3. commit the Kafka offset only after the DB commit.

A transient failure (DB or network down) retries the batch with backoff forever, so
nothing is lost while Postgres restarts. Any other failure falls back to one record per
transaction so a single poison record is isolated: it is retried ``max_attempts`` times
and then dead-lettered with its reason while the partition keeps flowing. A crash after
the DB commit and before the offset commit redelivers the batch; the inbox makes the
second delivery a no-op.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer
from aiokafka.structs import ConsumerRecord, TopicPartition
from sqlalchemy import String, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.dialects.postgresql import insert as pg_insert

from platform_kit.db.engine import Database
from platform_kit.db.uow import UnitOfWork
from platform_kit.messaging.errors import is_permanent, is_transient
from platform_kit.metrics import KitMetrics

log = logging.getLogger(__name__)

_CLAIM = (
    text(
        "insert into inbox (consumer, event_id, tenant_id, topic) "
        "select :consumer, e, t, p from unnest(:event_ids, :tenant_ids, :topics) as x(e, t, p) "
        "on conflict (consumer, event_id) do nothing returning event_id"
    )
    .bindparams(
        bindparam("event_ids", type_=ARRAY(PG_UUID(as_uuid=True))),
        bindparam("tenant_ids", type_=ARRAY(PG_UUID(as_uuid=True))),
        bindparam("topics", type_=ARRAY(String())),
    )
    .columns(event_id=PG_UUID(as_uuid=True))
)

Handler = Callable[[Any, UnitOfWork], Awaitable[None]]
BatchHandler = Callable[[list[Any], UnitOfWork], Awaitable[None]]


@dataclass(frozen=True)
class Subscription:
    """A topic (from ``restock_contracts.topics``) and handlers by event type.

    ``handlers`` get one envelope at a time; ``batch_handlers`` get each run of consecutive
    events of their type within a partition batch as one list (order across types is kept),
    so they can write many rows in one statement. Event types with neither are
    acknowledged and ignored.
    """

    topic: Any
    handlers: Mapping[str, Handler] = field(default_factory=dict)
    batch_handlers: Mapping[str, BatchHandler] = field(default_factory=dict)


@dataclass(frozen=True)
class RawRecord:
    """The parts of a Kafka record the loop needs (also built from dead-letter rows)."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes


@dataclass
class _Decoded:
    record: RawRecord
    envelope: Any = None
    error: str | None = None


class ConsumerLoop:
    """Consumes some topics into one service's database, idempotently."""

    def __init__(
        self,
        *,
        name: str,
        db: Database,
        bootstrap: str,
        subscriptions: Sequence[Subscription],
        metrics: KitMetrics,
        max_attempts: int = 5,
        backoff_initial_s: float = 0.2,
        backoff_max_s: float = 10.0,
        max_records: int = 500,
        session_timeout_ms: int = 6000,
    ) -> None:
        self.name = name
        self.db = db
        self.bootstrap = bootstrap
        self.subscriptions = {s.topic.name: s for s in subscriptions}
        self.metrics = metrics
        self.max_attempts = max_attempts
        self.backoff_initial_s = backoff_initial_s
        self.backoff_max_s = backoff_max_s
        self.max_records = max_records
        self.session_timeout_ms = session_timeout_ms
        self.processed = 0
        self.ready = asyncio.Event()

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until ``stop``; the Kafka client is rebuilt after unexpected failures."""
        while not stop.is_set():
            consumer = self._new_consumer()
            try:
                await consumer.start()
                self.ready.set()
                await self._consume(consumer, stop)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning(
                    "consumer %s restarting after %s: %s", self.name, type(exc).__name__, exc
                )
                await _sleep(stop, 1.0)
            finally:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(consumer.stop(), 10)

    def _new_consumer(self) -> AIOKafkaConsumer:
        return AIOKafkaConsumer(
            *self.subscriptions,
            bootstrap_servers=self.bootstrap,
            group_id=self.name,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            metadata_max_age_ms=5000,
            max_poll_records=self.max_records,
            session_timeout_ms=self.session_timeout_ms,
            rebalance_timeout_ms=max(self.session_timeout_ms, 10000),
            heartbeat_interval_ms=max(100, self.session_timeout_ms // 4),
            request_timeout_ms=40000,
        )

    async def _consume(self, consumer: AIOKafkaConsumer, stop: asyncio.Event) -> None:
        while not stop.is_set():
            batches = await consumer.getmany(timeout_ms=200, max_records=self.max_records)
            for tp, messages in batches.items():
                records = [
                    RawRecord(m.topic, m.partition, m.offset, m.key, m.value or b"")
                    for m in messages
                ]
                started = time.perf_counter()
                await self.handle_batch(records, stop)
                self.metrics.consumer_batch_seconds.labels(consumer=self.name).observe(
                    time.perf_counter() - started
                )
                await self._commit(consumer, tp, messages)
            if batches:
                await self._update_lag(consumer)

    async def _commit(
        self,
        consumer: AIOKafkaConsumer,
        tp: TopicPartition,
        messages: list[ConsumerRecord[Any, Any]],
    ) -> None:
        try:
            await consumer.commit({tp: messages[-1].offset + 1})
        except Exception as exc:
            log.warning("offset commit failed for %s: %s", tp, exc)

    async def _update_lag(self, consumer: AIOKafkaConsumer) -> None:
        lag: dict[str, int] = {}
        for tp in consumer.assignment():
            high = consumer.highwater(tp)
            if high is None:
                continue
            position = await consumer.position(tp)
            lag[tp.topic] = lag.get(tp.topic, 0) + max(0, high - position)
        for topic, value in lag.items():
            self.metrics.consumer_lag.labels(consumer=self.name, topic=topic).set(value)

    async def handle_batch(
        self, records: Sequence[RawRecord], stop: asyncio.Event | None = None
    ) -> None:
        """Apply a batch exactly once to the database (see module docstring)."""
        decoded = [self._decode(r) for r in records]
        delay = self.backoff_initial_s
        while True:
            try:
                await self._apply(decoded)
                return
            except Exception as exc:
                if is_transient(exc):
                    log.warning(
                        "consumer %s: transient %s, retrying batch in %.1fs",
                        self.name,
                        type(exc).__name__,
                        delay,
                    )
                    await _sleep(stop, delay)
                    delay = min(delay * 2, self.backoff_max_s)
                    continue
                log.warning(
                    "consumer %s: batch of %d failed (%s: %s); isolating records one by one",
                    self.name,
                    len(decoded),
                    type(exc).__name__,
                    exc,
                )
                break
        for item in decoded:
            await self._apply_one_with_retries(item, stop)

    async def _apply(self, decoded: Sequence[_Decoded]) -> None:
        async with UnitOfWork(self.db) as uow:
            dead: list[dict[str, Any]] = []
            fresh = await self._claim(uow, [d for d in decoded if d.envelope is not None])
            run: list[_Decoded] = []
            for item in decoded:
                if item.envelope is None:
                    self._dead_letter(uow, item, item.error or "undecodable", 1, dead)
                    continue
                if item.envelope.event_id not in fresh:
                    continue
                fresh.discard(item.envelope.event_id)
                if run and (run[0].record.topic, run[0].envelope.event_type) != (
                    item.record.topic,
                    item.envelope.event_type,
                ):
                    await self._dispatch(run, uow)
                    run = []
                run.append(item)
            if run:
                await self._dispatch(run, uow)
            await self._record_dead_letters(uow, dead)
            await uow.commit()
        self._count(decoded)

    async def _apply_one_with_retries(self, item: _Decoded, stop: asyncio.Event | None) -> None:
        attempts = 0
        delay = self.backoff_initial_s
        while True:
            attempts += 1
            try:
                await self._apply([item])
                return
            except Exception as exc:
                reason = f"{type(exc).__name__}: {exc}"
                if is_transient(exc):
                    attempts -= 1
                elif is_permanent(exc) or attempts >= self.max_attempts:
                    log.error(
                        "consumer %s: dead-lettering %s@%s: %s",
                        self.name,
                        item.record.topic,
                        item.record.offset,
                        reason,
                    )
                    await self._dead_letter_alone(item, reason, attempts, stop)
                    return
                await _sleep(stop, delay)
                delay = min(delay * 2, self.backoff_max_s)

    async def _dead_letter_alone(
        self, item: _Decoded, reason: str, attempts: int, stop: asyncio.Event | None
    ) -> None:
        delay = self.backoff_initial_s
        while True:
            try:
                async with UnitOfWork(self.db) as uow:
                    dead: list[dict[str, Any]] = []
                    self._dead_letter(uow, item, reason, attempts, dead)
                    await self._record_dead_letters(uow, dead)
                    await uow.commit()
                self.metrics.consumer_records.labels(
                    consumer=self.name, topic=item.record.topic, outcome="dead_lettered"
                ).inc()
                self.processed += 1
                return
            except Exception as exc:
                log.warning("dead-lettering failed (%s); retrying", exc)
                await _sleep(stop, delay)
                delay = min(delay * 2, self.backoff_max_s)

    def _decode(self, record: RawRecord) -> _Decoded:
        subscription = self.subscriptions.get(record.topic)
        if subscription is None:
            return _Decoded(record, error=f"no subscription for topic {record.topic}")
        try:
            return _Decoded(record, envelope=subscription.topic.decode(record.value))
        except Exception as exc:
            return _Decoded(record, error=f"contract violation: {exc}")

    async def _claim(self, uow: UnitOfWork, decoded: Sequence[_Decoded]) -> set[uuid.UUID]:
        """Insert inbox rows for the batch; returns the event ids not seen before.

        One statement over arrays (``unnest``), so its plan is cached whatever the batch size.
        """
        if not decoded:
            return set()
        first: dict[uuid.UUID, _Decoded] = {}
        for d in decoded:
            first.setdefault(d.envelope.event_id, d)
        result = await uow.session.execute(
            _CLAIM,
            {
                "consumer": self.name,
                "event_ids": list(first),
                "tenant_ids": [d.envelope.tenant_id for d in first.values()],
                "topics": [d.record.topic for d in first.values()],
            },
        )
        return set(result.scalars().all())

    async def _dispatch(self, run: list[_Decoded], uow: UnitOfWork) -> None:
        """Handle a run of consecutive same-type events (a batch handler gets them at once)."""
        first = run[0]
        subscription = self.subscriptions[first.record.topic]
        batch_handler = subscription.batch_handlers.get(first.envelope.event_type)
        if batch_handler is not None:
            await batch_handler([item.envelope for item in run], uow)
            return
        handler = subscription.handlers.get(first.envelope.event_type)
        if handler is not None:
            for item in run:
                await handler(item.envelope, uow)

    def _dead_letter(
        self,
        uow: UnitOfWork,
        item: _Decoded,
        reason: str,
        attempts: int,
        pending: list[dict[str, Any]],
    ) -> None:
        envelope = item.envelope
        pending.append(
            {
                "consumer": self.name,
                "topic": item.record.topic,
                "partition": item.record.partition,
                "offset": item.record.offset,
                "key": item.record.key,
                "value": item.record.value,
                "event_id": envelope.event_id if envelope is not None else None,
                "tenant_id": envelope.tenant_id if envelope is not None else None,
                "reason": reason[:4000],
                "attempts": attempts,
            }
        )
        uow.publish_raw(
            event_id=uuid.uuid5(
                uuid.NAMESPACE_URL,
                f"dlq|{self.name}|{item.record.topic}|{item.record.partition}|{item.record.offset}",
            ),
            topic=f"{item.record.topic}.dlq",
            event_type="dead_letter",
            key=item.record.key,
            value=item.record.value,
            tenant_id=envelope.tenant_id if envelope is not None else None,
            headers={
                "reason": reason[:900],
                "consumer": self.name,
                "original_topic": item.record.topic,
                "original_partition": str(item.record.partition),
                "original_offset": str(item.record.offset),
            },
        )

    async def _record_dead_letters(self, uow: UnitOfWork, pending: list[dict[str, Any]]) -> None:
        if pending:
            table = self.db.tables["dead_letter"]
            await uow.session.execute(
                pg_insert(table).on_conflict_do_nothing(constraint="uq_dead_letter_position"),
                pending,
            )

    def _count(self, decoded: Sequence[_Decoded]) -> None:
        for item in decoded:
            outcome = "processed" if item.envelope is not None else "dead_lettered"
            self.metrics.consumer_records.labels(
                consumer=self.name, topic=item.record.topic, outcome=outcome
            ).inc()
        self.processed += len(decoded)


async def _sleep(stop: asyncio.Event | None, seconds: float) -> None:
    if stop is None:
        await asyncio.sleep(seconds)
        return
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
