"""Token buckets in Postgres (§5: replicas share them) and the API audit rows.

One statement refills and takes a token from every bucket of a request: a bucket holds at
most ``burst`` tokens and refills at ``rate`` per second; a request that finds less than
one token is refused and leaves the bucket as it was (refilled). Buckets need no
durability (a crash at worst refills them), so the statement turns off
``synchronous_commit`` for its transaction: the commit does not wait for the WAL flush.
"""

from __future__ import annotations

import json
import math
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from api_gateway.adapters.orm import audit_event


@dataclass(frozen=True)
class Bucket:
    key: str
    tenant_id: uuid.UUID | None
    rate: float
    burst: float


@dataclass(frozen=True)
class Verdict:
    """Whether every bucket had a token, and how long to wait if not (whole seconds)."""

    allowed: bool
    retry_after_s: int = 0


_UPSERT = """
INSERT INTO rate_bucket AS b (key, tenant_id, tokens, rate, burst, allowed, updated_at)
SELECT k.key, k.tenant_id, k.burst - 1, k.rate, k.burst, true, clock_timestamp()
FROM jsonb_to_recordset(CAST(:buckets AS jsonb))
     AS k(key text, tenant_id uuid, rate float8, burst float8),
     (SELECT set_config('synchronous_commit', 'off', true)) AS no_flush
ON CONFLICT (key) DO UPDATE SET
  tokens = CASE WHEN {level} >= 1 THEN {level} - 1 ELSE {level} END,
  allowed = {level} >= 1,
  rate = excluded.rate,
  burst = excluded.burst,
  updated_at = clock_timestamp()
RETURNING b.tokens, b.rate, b.allowed
"""
_LEVEL = (
    "least(excluded.burst, b.tokens + excluded.rate * "
    "greatest(0, extract(epoch FROM clock_timestamp() - b.updated_at)))"
)
TAKE = text(_UPSERT.format(level=_LEVEL))


async def take(session: AsyncSession, buckets: list[Bucket]) -> Verdict:
    """Take one token from each bucket in one statement."""
    payload = json.dumps(
        [
            {
                "key": b.key,
                "tenant_id": str(b.tenant_id) if b.tenant_id else None,
                "rate": b.rate,
                "burst": b.burst,
            }
            for b in buckets
        ]
    )
    rows = (await session.execute(TAKE, {"buckets": payload})).all()
    refused = [row for row in rows if not row.allowed]
    if not refused:
        return Verdict(True)
    wait = max((1 - row.tokens) / max(row.rate, 1e-9) for row in refused)
    return Verdict(False, max(1, math.ceil(wait)))


async def prune_idle(session: AsyncSession, idle_s: float) -> None:
    """Forget buckets untouched for ``idle_s`` (they would be full again anyway)."""
    await session.execute(
        text(
            "DELETE FROM rate_bucket"
            " WHERE updated_at < clock_timestamp() - make_interval(secs => :s)"
        ),
        {"s": idle_s},
    )


async def record_write(session: AsyncSession, entry: dict[str, Any]) -> None:
    """One audit row for an API write: who, tenant, method, route, status, correlation id."""
    await session.execute(
        audit_event.insert().values(
            tenant_id=entry.get("tenant_id"),
            actor=entry["actor"],
            action="api.write",
            detail={k: v for k, v in entry.items() if k not in {"tenant_id", "actor"}},
        )
    )
