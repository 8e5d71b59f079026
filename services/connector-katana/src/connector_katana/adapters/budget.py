"""The provider rate budget per API key, kept in Postgres (architecture §5).

A sliding-window log: every request the connector is about to send inserts a row into
``rate_request`` while holding a row lock on the key's ``rate_budget`` row, so any number
of replicas share one budget. In any window of ``window_s`` seconds at most
``limit - headroom`` requests are sent; bulk loads stop ``po_reserve`` requests earlier so
purchase-order creation always finds room. A 429 pauses the whole key until its
``Retry-After`` has passed. Time comes from Postgres (``clock_timestamp()``), so replicas
agree on it.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass

from sqlalchemy import text

from platform_kit.db.engine import Database

BULK = "bulk"
PRIORITY = "po"


def key_id_of(api_key: str) -> str:
    """The budget key of an API key (its sha256; the key itself is never stored in clear)."""
    return hashlib.sha256(api_key.encode()).hexdigest()


@dataclass
class RateBudget:
    """Shared, Postgres-backed request budget."""

    db: Database
    limit: int = 60
    window_s: float = 60.0
    headroom: int = 2
    po_reserve: int = 2
    enabled: bool = True

    def cap(self, priority: str) -> int:
        """Requests per window the given priority may use."""
        cap = self.limit - self.headroom
        if priority != PRIORITY:
            cap -= self.po_reserve
        return max(cap, 1)

    async def acquire(self, key_id: str, priority: str = BULK) -> None:
        """Wait until one more request fits the window, and record it."""
        if not self.enabled:
            return
        while True:
            wait = await self._try(key_id, priority)
            if wait <= 0:
                return
            await asyncio.sleep(min(max(wait, 0.005), 1.0))

    async def _try(self, key_id: str, priority: str) -> float:
        cap = self.cap(priority)
        async with self.db.engine.begin() as conn:
            await conn.execute(
                text("insert into rate_budget (key_id) values (:k) on conflict do nothing"),
                {"k": key_id},
            )
            row = (
                await conn.execute(
                    text(
                        "select extract(epoch from (paused_until - clock_timestamp())) as paused "
                        "from rate_budget where key_id = :k for update"
                    ),
                    {"k": key_id},
                )
            ).one()
            if row.paused is not None and row.paused > 0:
                return float(row.paused)
            stamps = (
                (
                    await conn.execute(
                        text(
                            "select extract(epoch from "
                            "(at + make_interval(secs => :w) - clock_timestamp())) "
                            "from rate_request where key_id = :k "
                            "and at > clock_timestamp() - make_interval(secs => :w) order by at"
                        ),
                        {"k": key_id, "w": self.window_s},
                    )
                )
                .scalars()
                .all()
            )
            if len(stamps) < cap:
                await conn.execute(
                    text(
                        "insert into rate_request (key_id, at, priority) "
                        "values (:k, clock_timestamp(), :p)"
                    ),
                    {"k": key_id, "p": priority},
                )
                await conn.execute(
                    text(
                        "delete from rate_request where key_id = :k "
                        "and at < clock_timestamp() - make_interval(secs => :w)"
                    ),
                    {"k": key_id, "w": self.window_s * 2},
                )
                return 0.0
            return float(stamps[len(stamps) - cap])

    async def pause(self, key_id: str, seconds: float) -> None:
        """Obey a ``Retry-After``: nobody sends on this key for ``seconds``."""
        async with self.db.engine.begin() as conn:
            await conn.execute(
                text(
                    "insert into rate_budget (key_id, paused_until, throttled_total) "
                    "values (:k, clock_timestamp() + make_interval(secs => :s), 1) "
                    "on conflict (key_id) do update set paused_until = greatest("
                    "coalesce(rate_budget.paused_until, clock_timestamp()), "
                    "excluded.paused_until), "
                    "throttled_total = rate_budget.throttled_total + 1"
                ),
                {"k": key_id, "s": seconds},
            )

    async def lowest_remaining(self) -> int:
        """Fewest requests any key may still send in the current window (PO cap; 0 while
        paused by a 429): the provider budget-headroom gauge. A full cap with no keys."""
        cap = self.cap(PRIORITY)
        async with self.db.engine.connect() as conn:
            value = (
                await conn.execute(
                    text(
                        "select min(case when b.paused_until > clock_timestamp() then 0 "
                        "else greatest(:cap - (select count(*) from rate_request r "
                        "where r.key_id = b.key_id "
                        "and r.at > clock_timestamp() - make_interval(secs => :w)), 0) end) "
                        "from rate_budget b"
                    ),
                    {"cap": cap, "w": self.window_s},
                )
            ).scalar()
        return cap if value is None else int(value)

    async def used(self, key_id: str) -> int:
        """Requests recorded in the current window (for progress and tests)."""
        async with self.db.engine.connect() as conn:
            return int(
                (
                    await conn.execute(
                        text(
                            "select count(*) from rate_request where key_id = :k "
                            "and at > clock_timestamp() - make_interval(secs => :w)"
                        ),
                        {"k": key_id, "w": self.window_s},
                    )
                ).scalar_one()
            )
