"""Dead letters: list them, replay them through the consumer that rejected them, prune.

Replay re-runs the stored record through the same consumer's code path (not through
Kafka, so other consumer groups never see it again). A record that succeeds is marked
resolved; one that fails again keeps its row with the new reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from platform_kit.db.engine import Database
from platform_kit.messaging.consumer import ConsumerLoop, RawRecord


@dataclass(frozen=True)
class ReplayResult:
    id: int
    ok: bool
    reason: str | None


async def list_dead_letters(
    db: Database, *, include_resolved: bool = False
) -> list[dict[str, Any]]:
    table = db.tables["dead_letter"]
    stmt = select(
        table.c.id,
        table.c.consumer,
        table.c.topic,
        table.c.partition,
        table.c.offset,
        table.c.event_id,
        table.c.tenant_id,
        table.c.reason,
        table.c.attempts,
        table.c.created_at,
        table.c.replayed_at,
        table.c.resolved,
    ).order_by(table.c.id)
    if not include_resolved:
        stmt = stmt.where(table.c.resolved.is_(False))
    async with db.sessions() as session:
        return [dict(row._mapping) for row in (await session.execute(stmt)).all()]


async def replay_dead_letters(
    db: Database, loops: list[ConsumerLoop], ids: list[int] | None = None
) -> list[ReplayResult]:
    """Replay the given (or all open) dead letters; returns what happened to each."""
    table = db.tables["dead_letter"]
    by_name = {loop.name: loop for loop in loops}
    stmt = select(table).where(table.c.resolved.is_(False)).order_by(table.c.id)
    if ids:
        stmt = stmt.where(table.c.id.in_(ids))
    async with db.sessions() as session:
        rows = (await session.execute(stmt)).all()
    results: list[ReplayResult] = []
    for row in rows:
        loop = by_name.get(row.consumer)
        if loop is None:
            results.append(ReplayResult(row.id, False, f"no consumer named {row.consumer}"))
            continue
        record = RawRecord(row.topic, row.partition, row.offset, row.key, row.value)
        decoded = loop._decode(record)
        now = datetime.now(UTC)
        try:
            if decoded.envelope is None:
                raise ValueError(decoded.error or "undecodable")
            await loop._apply([decoded])
            values: dict[str, Any] = {"resolved": True, "replayed_at": now}
            results.append(ReplayResult(row.id, True, None))
        except Exception as exc:
            reason = f"{type(exc).__name__}: {exc}"
            values = {"replayed_at": now, "reason": reason[:4000], "attempts": row.attempts + 1}
            results.append(ReplayResult(row.id, False, reason))
        async with db.sessions() as session, session.begin():
            await session.execute(update(table).where(table.c.id == row.id).values(**values))
    return results


async def prune(db: Database, *, inbox_hours: float, dead_letter_hours: float) -> dict[str, int]:
    """Delete inbox rows, resolved dead letters, finished sync tracking and old idempotency keys."""
    now = datetime.now(UTC)
    t = db.tables
    counts: dict[str, int] = {}
    async with db.sessions() as session, session.begin():
        for name, stmt in {
            "inbox": t["inbox"]
            .delete()
            .where(t["inbox"].c.processed_at < now - timedelta(hours=inbox_hours)),
            "dead_letter": t["dead_letter"]
            .delete()
            .where(
                t["dead_letter"].c.resolved.is_(True),
                t["dead_letter"].c.created_at < now - timedelta(hours=dead_letter_hours),
            ),
            "sync_stream": t["sync_stream"]
            .delete()
            .where(t["sync_stream"].c.created_at < now - timedelta(hours=inbox_hours)),
            "idempotency_key": t["idempotency_key"]
            .delete()
            .where(t["idempotency_key"].c.created_at < now - timedelta(hours=24)),
        }.items():
            result = await session.execute(stmt)
            counts[name] = int(getattr(result, "rowcount", 0) or 0)
    return counts


async def count_open(db: Database) -> int:
    from sqlalchemy import func

    table = db.tables["dead_letter"]
    async with db.sessions() as session:
        return int(
            (
                await session.execute(
                    select(func.count()).select_from(table).where(table.c.resolved.is_(False))
                )
            ).scalar_one()
        )
