"""Snapshot diffing and event publishing (architecture §2).

Each normalised record is compared with the connection's snapshot by content hash; only
new, changed or deleted records are published. Deletion records repeat the last known
values with ``deleted=True``. Batches are split by bytes, numbered per stream within a
sync, and get deterministic event ids, so re-running a page publishes nothing new.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert

from connector_katana.adapters.orm import snapshot
from connector_katana.domain.normalise import Normalised
from connector_katana.domain.reads import parse_instant
from platform_kit.db.uow import UnitOfWork
from restock_contracts.batching import split_by_bytes
from restock_contracts.catalog.v1 import (
    BomRowRecord,
    BomRowsChanged,
    LocationRecord,
    LocationsChanged,
    SkuRecord,
    SkusChanged,
    SupplierRecord,
    SuppliersChanged,
)
from restock_contracts.envelope import derived_event_id
from restock_contracts.inventory.v1 import (
    StockLevelRecord,
    StockLevelsChanged,
    StockMovementRecord,
    StockMovementsChanged,
)
from restock_contracts.purchasing.v1 import PurchaseOrderLineRecord, PurchaseOrderLinesChanged
from restock_contracts.sales.v1 import SalesLineRecord, SalesLinesChanged
from restock_contracts.sync.v1 import StreamCompleted
from restock_contracts.topics import topic_for_stream

PRODUCER = "connector-katana"
STREAM_MODELS: dict[str, tuple[type[Any], type[Any]]] = {
    "skus": (SkuRecord, SkusChanged),
    "suppliers": (SupplierRecord, SuppliersChanged),
    "locations": (LocationRecord, LocationsChanged),
    "bom_rows": (BomRowRecord, BomRowsChanged),
    "stock_levels": (StockLevelRecord, StockLevelsChanged),
    "stock_movements": (StockMovementRecord, StockMovementsChanged),
    "sales_lines": (SalesLineRecord, SalesLinesChanged),
    "purchase_order_lines": (PurchaseOrderLineRecord, PurchaseOrderLinesChanged),
}


def content_hash(record: Any) -> str:
    """Hash of a record's content, ignoring provider timestamps and read instants."""
    data = record.model_dump(mode="json", exclude={"updated_at", "as_of"})
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


@dataclass
class Target:
    """Where and as what a batch of records is published."""

    tenant_id: uuid.UUID
    connection_id: uuid.UUID
    sync_id: uuid.UUID | None
    mode: str
    run_id: uuid.UUID
    counters: dict[str, dict[str, int]] = field(default_factory=dict)

    def counter(self, stream: str) -> dict[str, int]:
        """Batches, records and deletions published on a stream so far."""
        return self.counters.setdefault(stream, {"batches": 0, "records": 0, "deleted": 0})


def deleted_copy(stream: str, stored: dict[str, Any]) -> Any:
    """The last known record, marked deleted."""
    model = STREAM_MODELS[stream][0]
    return model.model_validate({**stored, "deleted": True})


def publish(uow: UnitOfWork, target: Target, stream: str, records: list[Any], part: str) -> None:
    """Publish ``records`` in byte-sized batches numbered after the stream's counter."""
    if not records:
        return
    topic = topic_for_stream(stream)
    event_cls = STREAM_MODELS[stream][1]
    counter = target.counter(stream)
    for index, batch in enumerate(split_by_bytes(records)):
        counter["batches"] += 1
        counter["records"] += len(batch)
        counter["deleted"] += sum(1 for r in batch if r.deleted)
        payload = event_cls(
            source="katana",
            connection_id=target.connection_id,
            sync_id=target.sync_id,
            mode=target.mode,
            batch_seq=counter["batches"],
            records=batch,
        )
        event_id = derived_event_id(target.connection_id, target.run_id, stream, part, index)
        uow.publish(
            topic.envelope(
                payload, tenant_id=target.tenant_id, producer=PRODUCER, event_id=event_id
            ),
            topic.name,
        )


def complete_stream(uow: UnitOfWork, target: Target, stream: str) -> None:
    """Publish the stream's completion marker (after its last batch, same key)."""
    assert target.sync_id is not None
    topic = topic_for_stream(stream)
    counter = target.counter(stream)
    payload = StreamCompleted(
        source="katana",
        connection_id=target.connection_id,
        sync_id=target.sync_id,
        mode=target.mode,
        stream=stream,
        batch_count=counter["batches"],
        record_count=counter["records"],
        deleted_count=counter["deleted"],
    )
    event_id = derived_event_id(target.connection_id, target.run_id, stream, "completed")
    uow.publish(
        topic.envelope(payload, tenant_id=target.tenant_id, producer=PRODUCER, event_id=event_id),
        topic.name,
    )


async def apply_records(
    uow: UnitOfWork,
    target: Target,
    stream: str,
    items: list[Normalised],
    part: str,
    full_parents: Iterable[str] = (),
) -> int:
    """Diff ``items`` against the snapshot, publish what changed; returns records published.

    ``full_parents`` are parents whose children were all read: snapshot children of them
    that were not read are published as deleted (a variant removed from its product, a
    row removed from its order).
    """
    session = uow.session
    by_key = {item.key: item for item in items}
    where = [snapshot.c.connection_id == target.connection_id, snapshot.c.stream == stream]
    existing: dict[str, Any] = {}
    if by_key:
        rows = await session.execute(
            select(snapshot.c.provider_id, snapshot.c.content_hash, snapshot.c.deleted).where(
                *where, snapshot.c.provider_id.in_(list(by_key))
            )
        )
        existing = {row.provider_id: row for row in rows}
    out: list[Any] = []
    upserts: list[dict[str, Any]] = []
    for key, item in by_key.items():
        digest = content_hash(item.record)
        old = existing.get(key)
        if item.record.deleted:
            if old is not None and not old.deleted:
                out.append(item.record)
        elif old is None or old.deleted or old.content_hash != digest:
            out.append(item.record)
        upserts.append(_row(target, stream, key, item.parent_id, digest, item.record))
    parents = list(set(full_parents))
    if parents:
        orphans = await session.execute(
            select(
                snapshot.c.provider_id,
                snapshot.c.record,
                snapshot.c.parent_id,
                snapshot.c.content_hash,
            ).where(*where, snapshot.c.parent_id.in_(parents), snapshot.c.deleted.is_(False))
        )
        for row in orphans:
            if row.provider_id in by_key:
                continue
            record = deleted_copy(stream, row.record)
            out.append(record)
            upserts.append(
                _row(target, stream, row.provider_id, row.parent_id, row.content_hash, record)
            )
    await _upsert(uow, upserts)
    publish(uow, target, stream, out, part)
    return len(out)


async def publish_deletions(
    uow: UnitOfWork, target: Target, stream: str, keys: Iterable[str]
) -> int:
    """Mark snapshot records deleted and publish their deletion records."""
    wanted = list(keys)
    if not wanted:
        return 0
    rows = await uow.session.execute(
        select(
            snapshot.c.provider_id, snapshot.c.record, snapshot.c.parent_id, snapshot.c.content_hash
        )
        .where(
            snapshot.c.connection_id == target.connection_id,
            snapshot.c.stream == stream,
            snapshot.c.provider_id.in_(wanted),
            snapshot.c.deleted.is_(False),
        )
        .order_by(snapshot.c.provider_id)
    )
    records, upserts = [], []
    for row in rows:
        record = deleted_copy(stream, row.record)
        records.append(record)
        upserts.append(
            _row(target, stream, row.provider_id, row.parent_id, row.content_hash, record)
        )
    await _upsert(uow, upserts)
    publish(uow, target, stream, records, "deletions")
    return len(records)


def _row(
    target: Target, stream: str, key: str, parent: str | None, digest: str, record: Any
) -> dict[str, Any]:
    return {
        "connection_id": target.connection_id,
        "stream": stream,
        "provider_id": key,
        "tenant_id": target.tenant_id,
        "parent_id": parent,
        "content_hash": digest,
        "record": record.model_dump(mode="json"),
        "deleted": bool(record.deleted),
        "seen_job_id": target.sync_id,
    }


async def _upsert(uow: UnitOfWork, rows: list[dict[str, Any]]) -> None:
    """Insert or update snapshot rows. One statement run as an executemany (compiled
    once and cached), not a multi-row VALUES: compiling a fresh 1,000-row VALUES per page
    cost the connector ~40% of its CPU during a large load."""
    if not rows:
        return
    stmt = pg_insert(snapshot)
    stmt = stmt.on_conflict_do_update(
        index_elements=["connection_id", "stream", "provider_id"],
        set_={
            name: stmt.excluded[name]
            for name in (
                "parent_id",
                "content_hash",
                "record",
                "deleted",
                "seen_job_id",
                "tenant_id",
                "updated_at",
            )
        },
    )
    await uow.session.execute(stmt, rows)


async def unseen_keys(
    uow: UnitOfWork,
    connection_id: uuid.UUID,
    stream: str,
    job_id: uuid.UUID,
    since: Any = None,
    history_field: str | None = None,
) -> tuple[list[str], list[str]]:
    """(live snapshot keys, keys this job did not see), limited to the history window."""
    rows = await uow.session.execute(
        select(snapshot.c.provider_id, snapshot.c.seen_job_id, snapshot.c.record).where(
            and_(
                snapshot.c.connection_id == connection_id,
                snapshot.c.stream == stream,
                snapshot.c.deleted.is_(False),
            )
        )
    )
    live, unseen = [], []
    for row in rows:
        if since is not None and history_field:
            value = parse_instant(row.record.get(history_field))
            if value is not None and value < since:
                continue
        live.append(row.provider_id)
        if row.seen_job_id != job_id:
            unseen.append(row.provider_id)
    return live, unseen
