"""Snapshot-diffed publishing of normalised records (architecture §2).

Records are compared with the connector's snapshot by content hash: unchanged ones are
not republished. Changed ones update the snapshot and go out in byte-sized batches
through the outbox, in the same transaction. Deletions repeat the record's last known
values with ``deleted=True``. Each stream of a sync ends with a ``StreamCompleted``
marker on its own topic carrying the batch count.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from connector_xero.adapters.orm import snapshot
from connector_xero.domain.normalise import Normalised
from connector_xero.domain.values import content_hash
from platform_kit.db.uow import UnitOfWork
from restock_contracts.batching import split_by_bytes
from restock_contracts.catalog.v1 import (
    LocationRecord,
    LocationsChanged,
    SkuRecord,
    SkusChanged,
    SupplierRecord,
    SuppliersChanged,
)
from restock_contracts.envelope import derived_event_id
from restock_contracts.inventory.v1 import StockLevelRecord, StockLevelsChanged
from restock_contracts.purchasing.v1 import PurchaseOrderLineRecord, PurchaseOrderLinesChanged
from restock_contracts.sales.v1 import SalesLineRecord, SalesLinesChanged
from restock_contracts.sync.v1 import StreamCompleted
from restock_contracts.topics import topic_for_stream

PRODUCER = "connector-xero"
EVENTS: dict[str, Any] = {
    "skus": SkusChanged,
    "suppliers": SuppliersChanged,
    "locations": LocationsChanged,
    "stock_levels": StockLevelsChanged,
    "sales_lines": SalesLinesChanged,
    "purchase_order_lines": PurchaseOrderLinesChanged,
}
MODELS: dict[str, Any] = {
    "skus": SkuRecord,
    "suppliers": SupplierRecord,
    "locations": LocationRecord,
    "stock_levels": StockLevelRecord,
    "sales_lines": SalesLineRecord,
    "purchase_order_lines": PurchaseOrderLineRecord,
}
HASH_EXCLUDE: dict[str, tuple[str, ...]] = {"stock_levels": ("as_of",)}


@dataclass
class SyncCtx:
    """Who is publishing, for which sync, with per-stream counters (kept in job progress)."""

    tenant_id: uuid.UUID
    connection_id: uuid.UUID
    sync_id: uuid.UUID | None
    mode: str
    counters: dict[str, dict[str, int]] = field(default_factory=dict)
    batch_key: uuid.UUID = field(default_factory=uuid.uuid4)

    def bump(self, stream: str, key: str, n: int = 1) -> int:
        """Increase a per-stream counter; returns the new value."""
        entry = self.counters.setdefault(stream, {"batches": 0, "records": 0, "deleted": 0})
        entry[key] = entry.get(key, 0) + n
        return entry[key]


def _emit(uow: UnitOfWork, ctx: SyncCtx, stream: str, records: list[Any]) -> None:
    topic = topic_for_stream(stream)
    for batch in split_by_bytes(records):
        seq = ctx.bump(stream, "batches")
        ctx.bump(stream, "records", len(batch))
        ctx.bump(stream, "deleted", sum(1 for r in batch if r.deleted))
        payload = EVENTS[stream](
            source="xero",
            connection_id=ctx.connection_id,
            sync_id=ctx.sync_id,
            mode=ctx.mode,
            batch_seq=seq,
            records=batch,
        )
        envelope = topic.envelope(
            payload,
            tenant_id=ctx.tenant_id,
            producer=PRODUCER,
            event_id=derived_event_id(ctx.connection_id, ctx.sync_id or ctx.batch_key, stream, seq),
        )
        headers = {
            "source": "xero",
            "connection_id": str(ctx.connection_id),
            "sync_id": str(ctx.sync_id or ""),
            "mode": ctx.mode,
            "batch_seq": str(seq),
        }
        uow.publish(envelope, topic.name, headers=headers)


async def publish_changed(
    uow: UnitOfWork, ctx: SyncCtx, stream: str, rows: Iterable[Normalised], force: bool = False
) -> int:
    """Publish rows whose content hash changed (all of them with ``force``)."""
    unique = list({row.provider_id: row for row in rows}.values())
    if not unique:
        return 0
    known = dict(
        (
            await uow.session.execute(
                select(snapshot.c.provider_id, snapshot.c.content_hash).where(
                    snapshot.c.connection_id == ctx.connection_id,
                    snapshot.c.stream == stream,
                    snapshot.c.provider_id.in_([r.provider_id for r in unique]),
                    snapshot.c.deleted.is_(False),
                )
            )
        ).all()
    )
    changed, values = [], []
    for row in unique:
        data = row.record.model_dump(mode="json")
        digest = content_hash(data, HASH_EXCLUDE.get(stream, ()))
        if not force and known.get(row.provider_id) == digest:
            continue
        changed.append(row.record)
        values.append(
            {
                "connection_id": ctx.connection_id,
                "stream": stream,
                "provider_id": row.provider_id,
                "tenant_id": ctx.tenant_id,
                "parent_id": row.parent_id,
                "content_hash": digest,
                "record": data,
                "deleted": False,
            }
        )
    if values:
        stmt = pg_insert(snapshot)
        await uow.session.execute(
            stmt.on_conflict_do_update(
                index_elements=["connection_id", "stream", "provider_id"],
                set_={
                    "parent_id": stmt.excluded.parent_id,
                    "content_hash": stmt.excluded.content_hash,
                    "record": stmt.excluded.record,
                    "deleted": False,
                },
            ),
            values,
        )
        _emit(uow, ctx, stream, changed)
    return len(changed)


async def publish_deletions(
    uow: UnitOfWork, ctx: SyncCtx, stream: str, provider_ids: Iterable[str]
) -> int:
    """Deletion records (last known values, ``deleted=True``) for snapshot rows."""
    ids = sorted(set(provider_ids))
    if not ids:
        return 0
    where = and_(
        snapshot.c.connection_id == ctx.connection_id,
        snapshot.c.stream == stream,
        snapshot.c.provider_id.in_(ids),
        snapshot.c.deleted.is_(False),
    )
    stored = (await uow.session.execute(select(snapshot.c.record).where(where))).scalars().all()
    records = [MODELS[stream].model_validate({**data, "deleted": True}) for data in stored]
    await uow.session.execute(update(snapshot).where(where).values(deleted=True))
    _emit(uow, ctx, stream, records)
    return len(records)


async def live_keys(
    uow: UnitOfWork, connection_id: uuid.UUID, stream: str, parents: Iterable[str] | None = None
) -> set[str]:
    """Snapshot keys not deleted (optionally only children of ``parents``)."""
    stmt = select(snapshot.c.provider_id).where(
        snapshot.c.connection_id == connection_id,
        snapshot.c.stream == stream,
        snapshot.c.deleted.is_(False),
    )
    if parents is not None:
        stmt = stmt.where(snapshot.c.parent_id.in_(list(parents)))
    return set((await uow.session.execute(stmt)).scalars().all())


async def delete_missing_children(
    uow: UnitOfWork, ctx: SyncCtx, stream: str, parents: set[str], seen: set[str]
) -> int:
    """Lines that vanished from documents read in full (a document is never partial)."""
    if not parents:
        return 0
    gone = await live_keys(uow, ctx.connection_id, stream, parents) - seen
    return await publish_deletions(uow, ctx, stream, gone)


def complete(uow: UnitOfWork, ctx: SyncCtx, streams: Iterable[str]) -> None:
    """One ``StreamCompleted`` per stream, on the stream's own topic, after its batches."""
    assert ctx.sync_id is not None
    for stream in streams:
        counts = ctx.counters.get(stream, {})
        topic = topic_for_stream(stream)
        marker = StreamCompleted(
            source="xero",
            connection_id=ctx.connection_id,
            sync_id=ctx.sync_id,
            mode=ctx.mode,
            stream=stream,
            batch_count=counts.get("batches", 0),
            record_count=counts.get("records", 0),
            deleted_count=counts.get("deleted", 0),
        )
        envelope = topic.envelope(
            marker,
            tenant_id=ctx.tenant_id,
            producer=PRODUCER,
            event_id=derived_event_id(ctx.connection_id, ctx.sync_id, stream, "completed"),
        )
        uow.publish(envelope, topic.name)


async def first_child_field(
    uow: UnitOfWork, connection_id: uuid.UUID, stream: str, parent_id: str, name: str
) -> str | None:
    """One field of a live snapshot child of ``parent_id`` (e.g. an invoice's date)."""
    value = (
        await uow.session.execute(
            select(snapshot.c.record[name].astext)
            .where(
                snapshot.c.connection_id == connection_id,
                snapshot.c.stream == stream,
                snapshot.c.parent_id == parent_id,
            )
            .limit(1)
        )
    ).scalar_one_or_none()
    return str(value) if value is not None else None
