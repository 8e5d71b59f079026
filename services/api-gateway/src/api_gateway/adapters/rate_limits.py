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
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

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


_ADMIT = """
WITH live AS (
  SELECT true AS ok FROM access_token WHERE jti = :jti AND revoked_at IS NULL
), taken AS (
{upsert_where}
)
SELECT EXISTS (SELECT 1 FROM live) AS live, t.tokens, t.rate, t.allowed
FROM (SELECT 1) AS one LEFT JOIN taken AS t ON true
"""
ADMIT = text(
    _ADMIT.format(
        upsert_where=_UPSERT.format(level=_LEVEL).replace(
            "ON CONFLICT", "WHERE EXISTS (SELECT 1 FROM live)\nON CONFLICT"
        )
    )
)
"""The access token's revocation check and the buckets' take in ONE statement: the
buckets are charged only when the ``jti`` is known and not revoked."""


async def take(session: AsyncSession, buckets: list[Bucket]) -> Verdict:
    """Take one token from each bucket in one statement."""
    rows = (await session.execute(TAKE, {"buckets": _payload(buckets)})).all()
    return _verdict(rows)


async def admit_access_token(
    conn: AsyncConnection, jti: str, buckets: list[Bucket]
) -> Verdict | None:
    """None when the token ``jti`` is unknown or revoked, else the buckets' verdict (one
    round trip; ``conn`` is in autocommit, so the statement is its own transaction)."""
    rows = (await conn.execute(ADMIT, {"jti": jti, "buckets": _payload(buckets)})).all()
    if not rows or not rows[0].live:
        return None
    return _verdict(rows)


def _verdict(rows: Sequence[Any]) -> Verdict:
    refused = [row for row in rows if not row.allowed]
    if not refused:
        return Verdict(True)
    wait = max((1 - row.tokens) / max(row.rate, 1e-9) for row in refused)
    return Verdict(False, max(1, math.ceil(wait)))


def _payload(buckets: list[Bucket]) -> str:
    return json.dumps(
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
