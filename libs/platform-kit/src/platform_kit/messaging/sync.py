"""Safe deletions for syncs (architecture §2 "Deletions are explicit").

Producer side (connectors): :func:`plan_deletions` turns "in my snapshot but not read this
time" into deletion records only when the read was complete; a partial read (a page
skipped or failed) or a suspicious mass deletion deletes nothing.

Consumer side: :class:`SyncTracker` records which batches of a sync a consumer has seen,
holds deletion records of refresh syncs as *pending*, and at the stream's completion
marker releases them only if every batch ``1 .. batch_count`` arrived. A missing or
dead-lettered batch marks the sync incomplete and its pending deletions are discarded.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from platform_kit.db.uow import UnitOfWork


@dataclass(frozen=True)
class DeletionPlan:
    """Keys to publish as deleted, or why none may be."""

    to_delete: frozenset[str]
    blocked_reason: str | None = None


def plan_deletions(
    snapshot_keys: Iterable[str],
    seen_keys: Iterable[str],
    *,
    read_complete: bool,
    max_fraction: float = 0.5,
    min_guarded: int = 20,
    force: bool = False,
) -> DeletionPlan:
    """Deletions for a refresh: snapshot minus seen, only after a complete read.

    More than ``max_fraction`` of a snapshot of at least ``min_guarded`` records vanishing
    at once is refused unless ``force`` (a provider glitch must not wipe a tenant).
    """
    snapshot = set(snapshot_keys)
    missing = frozenset(snapshot - set(seen_keys))
    if not read_complete:
        return DeletionPlan(frozenset(), "read incomplete: no deletions")
    if (
        not force
        and len(snapshot) >= min_guarded
        and missing
        and len(missing) > max_fraction * len(snapshot)
    ):
        return DeletionPlan(
            frozenset(),
            f"{len(missing)} of {len(snapshot)} records would be deleted; refusing without force",
        )
    return DeletionPlan(missing)


@dataclass
class Completion:
    """What a stream-completed marker concluded."""

    complete: bool
    missing_batches: list[int] = field(default_factory=list)
    deletions: list[dict[str, Any]] = field(default_factory=list)


class SyncTracker:
    """Per-consumer bookkeeping of sync batches, stored in the consumer's database."""

    def __init__(self, consumer: str) -> None:
        self.consumer = consumer

    async def record_batch(
        self,
        uow: UnitOfWork,
        *,
        tenant_id: uuid.UUID,
        sync_id: uuid.UUID,
        stream: str,
        mode: str,
        batch_seq: int,
    ) -> None:
        table = uow.db.tables["sync_stream"]
        key = self._key(tenant_id, sync_id, stream)
        await uow.session.execute(
            pg_insert(table)
            .values(**key, mode=mode, batches_seen=[])
            .on_conflict_do_nothing(index_elements=list(key))
        )
        row = (
            await uow.session.execute(
                select(table.c.batches_seen).where(*self._where(table, key)).with_for_update()
            )
        ).scalar_one()
        if batch_seq not in row:
            await uow.session.execute(
                update(table)
                .where(*self._where(table, key))
                .values(batches_seen=sorted([*row, batch_seq]))
            )

    async def stage_deletions(
        self,
        uow: UnitOfWork,
        *,
        tenant_id: uuid.UUID,
        sync_id: uuid.UUID,
        stream: str,
        records: Sequence[tuple[str, dict[str, Any]]],
    ) -> None:
        """Hold deletion records until the stream's completion marker says all batches came."""
        if not records:
            return
        table = uow.db.tables["pending_deletion"]
        rows = [
            {
                "consumer": self.consumer,
                "tenant_id": tenant_id,
                "sync_id": sync_id,
                "stream": stream,
                "record_key": key,
                "record": record,
            }
            for key, record in records
        ]
        await uow.session.execute(
            pg_insert(table).on_conflict_do_nothing(constraint="uq_pending_deletion_record"), rows
        )

    async def complete(
        self,
        uow: UnitOfWork,
        *,
        tenant_id: uuid.UUID,
        sync_id: uuid.UUID,
        stream: str,
        mode: str,
        batch_count: int,
    ) -> Completion:
        """Close the stream: release pending deletions if no batch is missing."""
        table = uow.db.tables["sync_stream"]
        pending = uow.db.tables["pending_deletion"]
        key = self._key(tenant_id, sync_id, stream)
        await uow.session.execute(
            pg_insert(table)
            .values(**key, mode=mode, batches_seen=[])
            .on_conflict_do_nothing(index_elements=list(key))
        )
        seen = set(
            (
                await uow.session.execute(
                    select(table.c.batches_seen).where(*self._where(table, key)).with_for_update()
                )
            ).scalar_one()
        )
        missing = sorted(set(range(1, batch_count + 1)) - seen)
        where = [
            pending.c.consumer == self.consumer,
            pending.c.tenant_id == tenant_id,
            pending.c.sync_id == sync_id,
            pending.c.stream == stream,
        ]
        deletions: list[dict[str, Any]] = []
        if not missing:
            deletions = list(
                (
                    await uow.session.execute(
                        select(pending.c.record).where(*where).order_by(pending.c.id)
                    )
                )
                .scalars()
                .all()
            )
        await uow.session.execute(delete(pending).where(*where))
        await uow.session.execute(
            update(table)
            .where(*self._where(table, key))
            .values(
                expected_batches=batch_count,
                status="complete" if not missing else "incomplete",
                completed_at=datetime.now(UTC),
            )
        )
        return Completion(not missing, missing, deletions)

    def _key(self, tenant_id: uuid.UUID, sync_id: uuid.UUID, stream: str) -> dict[str, Any]:
        return {
            "consumer": self.consumer,
            "tenant_id": tenant_id,
            "sync_id": sync_id,
            "stream": stream,
        }

    @staticmethod
    def _where(table: Any, key: dict[str, Any]) -> list[Any]:
        return [table.c[name] == value for name, value in key.items()]
