"""A tiny probe service for messaging tests: TenantUpdated events become ``effect`` rows.

The effect table has no unique constraint on purpose: only the inbox can stop a
redelivered event from doubling its effect, which is what the tests check.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from datetime import timedelta
from typing import Any

from sqlalchemy import Column, DateTime, Integer, String, Table, func, select, text
from sqlalchemy.dialects.postgresql import UUID

from platform_kit.db import Database, UnitOfWork, service_metadata
from platform_kit.db.migrations import ensure_database
from platform_kit.messaging.admin import all_topic_specs
from platform_kit.messaging.consumer import ConsumerLoop, Subscription
from platform_kit.messaging.errors import PermanentError
from platform_kit.messaging.relay import OutboxRelay
from platform_kit.messaging.sync import SyncTracker
from platform_kit.metrics import KitMetrics
from restock_contracts.sync.v1 import StreamCompleted
from restock_contracts.tenancy.v1 import TenantUpdated
from restock_contracts.topics import SUPPLIERS, TENANTS

metadata = service_metadata()
effect = Table(
    "effect",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", UUID(as_uuid=True), nullable=False),
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column("created_at", DateTime(timezone=True), server_default=func.now()),
)
supplier = Table(
    "supplier",
    metadata,
    Column("tenant_id", UUID(as_uuid=True), primary_key=True),
    Column("supplier_id", String(50), primary_key=True),
    Column("name", String(200), nullable=False),
)


async def make_db(server_url: str, name: str) -> Database:
    """A fresh database with the probe tables, on the given server."""
    await ensure_database(server_url, name)
    url = (
        server_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + f"/{name}"
    )
    db = Database(url, metadata, application_name="probe", pool_size=5)
    async with db.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    return db


def tenant_event(tenant_id: uuid.UUID, i: int, name: str | None = None) -> Any:
    return TENANTS.envelope(
        TenantUpdated(
            tenant_id=tenant_id,
            name=name or f"event {i}",
            time_zone="UTC",
            base_currency="EUR",
            primary_source="katana",
        ),
        tenant_id=tenant_id,
        producer="probe",
    )


async def write_events(db: Database, envelopes: list[Any]) -> None:
    async with UnitOfWork(db) as uow:
        for env in envelopes:
            uow.publish(env, TENANTS.name)
        await uow.commit()


async def effects(db: Database, tenant_id: uuid.UUID) -> Counter[uuid.UUID]:
    async with db.sessions() as session:
        rows = (
            (
                await session.execute(
                    select(effect.c.event_id).where(effect.c.tenant_id == tenant_id)
                )
            )
            .scalars()
            .all()
        )
    return Counter(rows)


async def on_tenant_updated(envelope: Any, uow: UnitOfWork) -> None:
    if envelope.payload.name == "poison":
        raise PermanentError("probe refuses events named 'poison'")
    await uow.session.execute(
        effect.insert().values(event_id=envelope.event_id, tenant_id=envelope.tenant_id)
    )


tracker = SyncTracker("probe")


async def on_suppliers(envelope: Any, uow: UnitOfWork) -> None:
    """Upserts now; refresh-mode deletions wait for a complete stream (safe deletion)."""
    p = envelope.payload
    if any(r.name == "POISON" for r in p.records):
        raise PermanentError("probe refuses this batch")
    if p.sync_id is not None:
        await tracker.record_batch(
            uow,
            tenant_id=envelope.tenant_id,
            sync_id=p.sync_id,
            stream="suppliers",
            mode=p.mode,
            batch_seq=p.batch_seq,
        )
    deletions = [(r.supplier_id, {"supplier_id": r.supplier_id}) for r in p.records if r.deleted]
    if p.mode == "refresh" and p.sync_id is not None:
        await tracker.stage_deletions(
            uow,
            tenant_id=envelope.tenant_id,
            sync_id=p.sync_id,
            stream="suppliers",
            records=deletions,
        )
    for r in p.records:
        if not r.deleted:
            await uow.session.execute(
                text(
                    "insert into supplier (tenant_id, supplier_id, name) values (:t, :s, :n) "
                    "on conflict (tenant_id, supplier_id) do update set name = excluded.name"
                ),
                {"t": envelope.tenant_id, "s": r.supplier_id, "n": r.name},
            )


async def on_stream_completed(envelope: Any, uow: UnitOfWork) -> None:
    p: StreamCompleted = envelope.payload
    done = await tracker.complete(
        uow,
        tenant_id=envelope.tenant_id,
        sync_id=p.sync_id,
        stream=p.stream,
        mode=p.mode,
        batch_count=p.batch_count,
    )
    for record in done.deletions:
        await uow.session.execute(
            supplier.delete().where(
                supplier.c.tenant_id == envelope.tenant_id,
                supplier.c.supplier_id == record["supplier_id"],
            )
        )


def subscriptions() -> list[Subscription]:
    return [
        Subscription(TENANTS, {"tenancy.tenant_updated": on_tenant_updated}),
        Subscription(
            SUPPLIERS,
            {
                "catalog.suppliers_changed": on_suppliers,
                "connectors.stream_completed": on_stream_completed,
            },
        ),
    ]


def new_consumer(
    db: Database, bootstrap: str, group: str, cls: type[ConsumerLoop] = ConsumerLoop
) -> ConsumerLoop:
    return cls(
        name=group,
        db=db,
        bootstrap=bootstrap,
        subscriptions=subscriptions(),
        metrics=KitMetrics(group),
        max_attempts=2,
        backoff_initial_s=0.05,
        backoff_max_s=1.0,
        session_timeout_ms=2000,
    )


def new_relay(db: Database, bootstrap: str, service: str = "probe") -> OutboxRelay:
    return OutboxRelay(
        db=db,
        bootstrap=bootstrap,
        service=service,
        topics=all_topic_specs(2),
        metrics=KitMetrics(service),
        poll_interval_s=0.02,
        retention=timedelta(hours=1),
        broker_check_interval_s=0.5,
    )


async def wait_for(predicate: Any, timeout_s: float = 60.0, interval_s: float = 0.1) -> None:
    """Poll an async predicate until true; fail with a clear message on timeout."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        if await predicate():
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {timeout_s}s")
        await asyncio.sleep(interval_s)
