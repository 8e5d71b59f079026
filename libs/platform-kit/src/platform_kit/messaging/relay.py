"""The outbox relay: one per service at a time, publishing in id order (architecture §2).

Each cycle runs in one transaction that first takes ``pg_try_advisory_xact_lock`` (so a
second replica simply idles, and a Postgres restart drops the lock with the connection),
reads unpublished rows in id order, produces them with ``acks=all``, waits for every
delivery, then marks them published. A crash between produce and commit re-publishes
the rows next cycle: delivery is at least once and consumers dedupe by ``event_id``.

Broker resets: the relay keeps a sentinel record in ``restock.relay-sentinel.<service>``.
Every ``broker_check_interval_s`` (and after an unknown-topic error) it checks that the
record is still there; if the broker came back empty it recreates the topics and marks
the retained window (published within ``outbox_retention_hours``) unpublished again, so
it is republished in order. Published rows older than the retention are pruned.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
from datetime import UTC, datetime, timedelta

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError, UnknownTopicOrPartitionError
from sqlalchemy import func, select, text, update

from platform_kit.db.engine import Database
from platform_kit.messaging.admin import TopicSpec, end_offset, ensure_topics
from platform_kit.metrics import KitMetrics

log = logging.getLogger(__name__)


def advisory_key(name: str) -> int:
    """A stable signed 64-bit advisory-lock key for ``name``."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


class OutboxRelay:
    """Publishes a service's outbox to Kafka."""

    def __init__(
        self,
        *,
        db: Database,
        bootstrap: str,
        service: str,
        topics: list[TopicSpec],
        metrics: KitMetrics,
        poll_interval_s: float = 0.05,
        batch_size: int = 500,
        retention: timedelta = timedelta(days=7),
        broker_check_interval_s: float = 2.0,
    ) -> None:
        self.db = db
        self.bootstrap = bootstrap
        self.service = service
        self.topics = topics
        self.metrics = metrics
        self.poll_interval_s = poll_interval_s
        self.batch_size = batch_size
        self.retention = retention
        self.broker_check_interval_s = broker_check_interval_s
        self.lock_key = advisory_key(f"outbox-relay:{service}")
        self.sentinel_topic = f"restock.relay-sentinel.{service}"
        self._producer: AIOKafkaProducer | None = None
        self._last_check = 0.0
        self._force_check = True
        self.published_total = 0

    async def run(self, stop: asyncio.Event) -> None:
        """Publish until ``stop`` is set; every failure is retried with backoff."""
        backoff = 0.1
        while not stop.is_set():
            try:
                await self._ensure_producer()
                await self._maybe_check_broker()
                published = await self.run_once()
                backoff = 0.1
                if published == 0:
                    await _wait(stop, self.poll_interval_s)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                kind = "broker" if isinstance(exc, KafkaError) else "database"
                self.metrics.relay_errors.labels(kind=kind).inc()
                if isinstance(exc, UnknownTopicOrPartitionError):
                    self._force_check = True
                log.warning(
                    "relay cycle failed (%s: %s); retrying in %.1fs",
                    type(exc).__name__,
                    exc,
                    backoff,
                )
                await self._reset_producer()
                await _wait(stop, backoff)
                backoff = min(backoff * 2, 5.0)
        await self._reset_producer()

    async def run_once(self) -> int:
        """One publish cycle; returns rows published (0 if another relay holds the lock)."""
        outbox = self.db.tables["outbox"]
        producer = await self._ensure_producer()
        async with self.db.sessions() as session, session.begin():
            locked = (
                await session.execute(
                    text("select pg_try_advisory_xact_lock(:k)"), {"k": self.lock_key}
                )
            ).scalar_one()
            if not locked:
                return 0
            rows = (
                await session.execute(
                    select(
                        outbox.c.id, outbox.c.topic, outbox.c.key, outbox.c.value, outbox.c.headers
                    )
                    .where(outbox.c.published_at.is_(None))
                    .order_by(outbox.c.id)
                    .limit(self.batch_size)
                )
            ).all()
            if not rows:
                return 0
            futures = []
            for row in rows:
                headers = [(k, str(v).encode()) for k, v in (row.headers or {}).items()]
                futures.append(
                    await producer.send(
                        row.topic, value=row.value, key=row.key, headers=headers or None
                    )
                )
            await asyncio.gather(*futures)
            now = datetime.now(UTC)
            await session.execute(
                update(outbox).where(outbox.c.id.in_([r.id for r in rows])).values(published_at=now)
            )
        for row in rows:
            self.metrics.outbox_published.labels(topic=row.topic).inc()
        self.published_total += len(rows)
        return len(rows)

    async def prune(self) -> int:
        """Delete published rows older than the retention window."""
        outbox = self.db.tables["outbox"]
        cutoff = datetime.now(UTC) - self.retention
        async with self.db.sessions() as session, session.begin():
            result = await session.execute(
                outbox.delete().where(
                    outbox.c.published_at.is_not(None), outbox.c.published_at < cutoff
                )
            )
        return int(getattr(result, "rowcount", 0) or 0)

    async def refresh_gauges(self) -> None:
        outbox = self.db.tables["outbox"]
        async with self.db.sessions() as session:
            count, oldest = (
                await session.execute(
                    select(func.count(), func.min(outbox.c.created_at)).where(
                        outbox.c.published_at.is_(None)
                    )
                )
            ).one()
        self.metrics.outbox_pending.set(count)
        self.metrics.outbox_oldest_age.set(
            (datetime.now(UTC) - oldest).total_seconds() if oldest else 0.0
        )

    async def _maybe_check_broker(self) -> None:
        """Sentinel missing means a fresh or reset broker: recreate topics, republish window."""
        now = time.monotonic()
        if not self._force_check and now - self._last_check < self.broker_check_interval_s:
            return
        self._last_check = now
        offset = await end_offset(self.bootstrap, self.sentinel_topic)
        if offset:
            self._force_check = False
            return
        await ensure_topics(self.bootstrap, [*self.topics, TopicSpec(self.sentinel_topic, 1)])
        await self._republish_window()
        producer = await self._ensure_producer()
        await (
            await producer.send(self.sentinel_topic, value=b"sentinel", key=self.service.encode())
        )
        self._force_check = False

    async def _republish_window(self) -> None:
        outbox = self.db.tables["outbox"]
        cutoff = datetime.now(UTC) - self.retention
        async with self.db.sessions() as session, session.begin():
            locked = (
                await session.execute(
                    text("select pg_try_advisory_xact_lock(:k)"), {"k": self.lock_key}
                )
            ).scalar_one()
            if not locked:
                return
            result = await session.execute(
                update(outbox)
                .where(outbox.c.published_at.is_not(None), outbox.c.published_at >= cutoff)
                .values(published_at=None)
            )
        count = int(getattr(result, "rowcount", 0) or 0)
        if count:
            self.metrics.broker_resets.inc()
            log.warning("broker came back empty: republishing %d retained outbox rows", count)

    async def _ensure_producer(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = AIOKafkaProducer(
                bootstrap_servers=self.bootstrap,
                acks="all",
                enable_idempotence=False,
                linger_ms=2,
                max_request_size=1_048_576,
                request_timeout_ms=15000,
                metadata_max_age_ms=5000,
            )
            await producer.start()
            self._producer = producer
        return self._producer

    async def _reset_producer(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(producer.stop(), 5)


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
