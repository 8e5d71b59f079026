"""The per-organisation Xero call budget, kept in Postgres so every replica shares it.

Three limits, as Xero counts them per organisation and app:

* **minute**: a sliding log of call timestamps (``rate_call``); at most ``cap`` calls in
  any ``window_s + margin`` seconds, which also keeps every fixed Xero window under the
  limit. Bulk loads stop ``po_reserve`` calls earlier so PO creation always finds room.
* **concurrency**: leases (``rate_lease``) with an expiry, so a crashed replica cannot
  leak a slot; at most ``concurrency`` in flight.
* **day**: a fixed window starting at the first call (``rate_bucket.day_*``); spent ->
  :class:`DayLimitReached` with the instant it frees up.

A 429 pauses the organisation for its ``Retry-After`` (``paused_until``). Time comes
from Postgres (``clock_timestamp()``) so replicas agree.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass

from sqlalchemy import text

from connector_xero.domain.errors import DayLimitReached
from platform_kit.db.engine import Database
from platform_kit.db.uow import UnitOfWork

BULK = "bulk"
PRIORITY = "po"


@dataclass
class Budget:
    """Shared, Postgres-backed call budget per Xero organisation."""

    db: Database
    per_minute: int = 60
    window_s: float = 60.0
    margin_s: float = 0.5
    headroom: int = 1
    po_reserve: int = 2
    concurrency: int = 5
    per_day: int = 5000
    day_window_s: float = 86400.0
    enabled: bool = True
    lease_s: float = 120.0

    def cap(self, priority: str) -> int:
        """Calls per window the given priority may use."""
        cap = self.per_minute - self.headroom
        if priority != PRIORITY:
            cap -= self.po_reserve
        return max(cap, 1)

    async def acquire(self, org: str, priority: str = BULK) -> uuid.UUID | None:
        """Wait until a call fits all three limits; record it and return its lease."""
        if not self.enabled:
            return None
        while True:
            lease, wait = await self._try(org, priority)
            if lease is not None:
                return lease
            await asyncio.sleep(min(max(wait, 0.01), 1.0))

    async def release(self, lease: uuid.UUID | None) -> None:
        """The call finished: free its concurrency slot."""
        if lease is None:
            return
        async with UnitOfWork(self.db) as uow:
            await uow.session.execute(
                text("delete from rate_lease where lease_id = :l"), {"l": lease}
            )
            await uow.commit()

    async def _try(self, org: str, priority: str) -> tuple[uuid.UUID | None, float]:
        window = self.window_s + self.margin_s
        async with UnitOfWork(self.db) as uow:
            s = uow.session
            await s.execute(
                text("insert into rate_bucket (xero_tenant_id) values (:o) on conflict do nothing"),
                {"o": org},
            )
            row = (
                await s.execute(
                    text(
                        "select extract(epoch from (paused_until - clock_timestamp())) as paused,"
                        " extract(epoch from (clock_timestamp() - day_start)) as day_age,"
                        " day_start + make_interval(secs => :dw) as day_end, day_count"
                        " from rate_bucket where xero_tenant_id = :o for update"
                    ),
                    {"o": org, "dw": self.day_window_s},
                )
            ).one()
            if row.paused is not None and row.paused > 0:
                return None, float(row.paused)
            fresh_day = row.day_age is None or row.day_age >= self.day_window_s
            if not fresh_day and row.day_count >= self.per_day:
                raise DayLimitReached(row.day_end)
            await s.execute(
                text("delete from rate_lease where xero_tenant_id = :o and expires_at < now()"),
                {"o": org},
            )
            in_flight = (
                await s.execute(
                    text("select count(*) from rate_lease where xero_tenant_id = :o"), {"o": org}
                )
            ).scalar_one()
            if in_flight >= self.concurrency:
                return None, 0.02
            cap = self.cap(priority)
            stamps = (
                (
                    await s.execute(
                        text(
                            "select extract(epoch from (at + make_interval(secs => :w)"
                            " - clock_timestamp())) from rate_call where xero_tenant_id = :o"
                            " and at > clock_timestamp() - make_interval(secs => :w) order by at"
                        ),
                        {"o": org, "w": window},
                    )
                )
                .scalars()
                .all()
            )
            if len(stamps) >= cap:
                return None, float(stamps[len(stamps) - cap])
            lease = uuid.uuid4()
            await s.execute(
                text(
                    "insert into rate_call (xero_tenant_id, at, priority)"
                    " values (:o, clock_timestamp(), :p)"
                ),
                {"o": org, "p": priority},
            )
            await s.execute(
                text(
                    "insert into rate_lease (lease_id, xero_tenant_id, expires_at)"
                    " values (:l, :o, clock_timestamp() + make_interval(secs => :s))"
                ),
                {"l": lease, "o": org, "s": self.lease_s},
            )
            await s.execute(
                text(
                    "update rate_bucket set"
                    " day_start = case when :fresh then clock_timestamp() else day_start end,"
                    " day_count = case when :fresh then 1 else day_count + 1 end"
                    " where xero_tenant_id = :o"
                ),
                {"o": org, "fresh": fresh_day},
            )
            await s.execute(
                text(
                    "delete from rate_call where xero_tenant_id = :o"
                    " and at < clock_timestamp() - make_interval(secs => :w)"
                ),
                {"o": org, "w": window * 2},
            )
            await uow.commit()
            return lease, 0.0

    async def pause(self, org: str, seconds: float, problem: str | None = None) -> None:
        """Obey a 429: nobody calls this organisation for ``seconds`` (day: until tomorrow)."""
        async with UnitOfWork(self.db) as uow:
            await uow.session.execute(
                text(
                    "insert into rate_bucket (xero_tenant_id, paused_until, throttled_total)"
                    " values (:o, clock_timestamp() + make_interval(secs => :s), 1)"
                    " on conflict (xero_tenant_id) do update set paused_until = greatest("
                    " coalesce(rate_bucket.paused_until, clock_timestamp()),"
                    " excluded.paused_until),"
                    " throttled_total = rate_bucket.throttled_total + 1,"
                    " day_count = case when :day then :per_day else rate_bucket.day_count end"
                ),
                {"o": org, "s": seconds, "day": problem == "day", "per_day": self.per_day},
            )
            await uow.commit()

    async def lowest_remaining(self) -> int:
        """Fewest calls any organisation may still make (PO cap, the lower of the minute
        window and the day; 0 while paused by a 429): the budget-headroom gauge. A full
        minute cap with no organisations."""
        cap = self.cap(PRIORITY)
        async with self.db.engine.connect() as conn:
            value = (
                await conn.execute(
                    text(
                        "select min(case when b.paused_until > clock_timestamp() then 0"
                        " else greatest(least(:cap - (select count(*) from rate_call c"
                        " where c.xero_tenant_id = b.xero_tenant_id"
                        " and c.at > clock_timestamp() - make_interval(secs => :w)),"
                        " case when b.day_start is null or b.day_start"
                        " <= clock_timestamp() - make_interval(secs => :dw) then :per_day"
                        " else :per_day - b.day_count end), 0) end) from rate_bucket b"
                    ),
                    {
                        "cap": cap,
                        "w": self.window_s + self.margin_s,
                        "dw": self.day_window_s,
                        "per_day": self.per_day,
                    },
                )
            ).scalar()
        return cap if value is None else int(value)

    async def used(self, org: str) -> int:
        """Calls recorded in the current sliding window (progress and tests)."""
        async with self.db.engine.connect() as conn:
            return int(
                (
                    await conn.execute(
                        text(
                            "select count(*) from rate_call where xero_tenant_id = :o"
                            " and at > clock_timestamp() - make_interval(secs => :w)"
                        ),
                        {"o": org, "w": self.window_s + self.margin_s},
                    )
                ).scalar_one()
            )
