"""Unit of work: the only place that commits (architecture; cosmic/polar style).

Usage::

    async with uow_factory() as uow:
        await repo_fn(uow.session, ...)
        uow.publish(SOME_TOPIC.envelope(payload, tenant_id=..., producer=...))
        await uow.commit()

Events published through the UoW are written to the outbox in the same transaction as
the state change; leaving the block without ``commit()`` rolls everything back.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any, Protocol

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from platform_kit.db.engine import Database


class Publishable(Protocol):
    """What an envelope offers to the outbox."""

    @property
    def event_id(self) -> Any: ...
    @property
    def event_type(self) -> str: ...
    @property
    def tenant_id(self) -> Any: ...
    @property
    def key(self) -> bytes: ...
    def to_json_bytes(self) -> bytes: ...


class UnitOfWork:
    """One transaction with an outbox attached."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._session: AsyncSession | None = None
        self._pending: list[dict[str, Any]] = []
        self.committed = False
        self.after_commit: list[Callable[[], None]] = []

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("unit of work used outside 'async with'")
        return self._session

    async def __aenter__(self) -> UnitOfWork:
        self._session = self.db.sessions()
        await self._session.begin()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self._session
        self._session = None
        if session is None:
            return
        try:
            if not self.committed:
                await session.rollback()
        finally:
            await session.close()

    def publish(
        self, envelope: Publishable, topic: str, headers: dict[str, str] | None = None
    ) -> None:
        """Queue an event for the outbox; written on commit in the same transaction."""
        self._pending.append(
            {
                "event_id": envelope.event_id,
                "tenant_id": envelope.tenant_id,
                "topic": topic,
                "event_type": envelope.event_type,
                "key": envelope.key,
                "value": envelope.to_json_bytes(),
                "headers": headers or {},
            }
        )

    def publish_raw(
        self,
        *,
        event_id: Any,
        topic: str,
        event_type: str,
        key: bytes | None,
        value: bytes,
        tenant_id: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Queue an already-serialised record (dead letters, replays)."""
        self._pending.append(
            {
                "event_id": event_id,
                "tenant_id": tenant_id,
                "topic": topic,
                "event_type": event_type,
                "key": key,
                "value": value,
                "headers": headers or {},
            }
        )

    async def flush_outbox(self) -> None:
        if not self._pending:
            return
        outbox = self.db.tables["outbox"]
        rows, self._pending = self._pending, []
        stmt = pg_insert(outbox).on_conflict_do_nothing(index_elements=["event_id"])
        await self.session.execute(stmt, rows)

    async def commit(self) -> None:
        await self.flush_outbox()
        await self.session.commit()
        self.committed = True
        for callback in self.after_commit:
            callback()

    async def rollback(self) -> None:
        self._pending.clear()
        await self.session.rollback()


def uow_factory(db: Database) -> Callable[[], UnitOfWork]:
    """A zero-argument factory handlers receive instead of the database."""
    return lambda: UnitOfWork(db)


__all__ = ["Publishable", "UnitOfWork", "uow_factory"]
