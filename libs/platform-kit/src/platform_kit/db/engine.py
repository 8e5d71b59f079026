"""Async engine and session factory, built in the app's lifespan (never at import)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import MetaData, text
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from platform_kit.db.tables import kit_tables


def build_engine(
    url: str, *, application_name: str, pool_size: int = 10, **options: Any
) -> AsyncEngine:
    """An asyncpg engine with the kit's pool shape: ``pool_size`` connections plus as many
    overflow, recycled after 30 min, named ``application_name`` in ``pg_stat_activity``,
    pre-ping on checkout. ``options`` override or add engine arguments (e.g.
    ``isolation_level="AUTOCOMMIT", pool_pre_ping=False`` for a hot-path pool)."""
    kwargs: dict[str, Any] = {
        "pool_size": pool_size,
        "max_overflow": pool_size,
        "pool_pre_ping": True,
        "pool_recycle": 1800,
        "connect_args": {"server_settings": {"application_name": application_name}},
    }
    return create_async_engine(url, **(kwargs | options))


class Database:
    """One engine and session factory per process, plus the service's metadata."""

    def __init__(self, url: str, metadata: MetaData, *, application_name: str, pool_size: int = 10):
        self.url = url
        self.metadata = metadata
        self.tables = kit_tables(metadata)
        self.engine = build_engine(url, application_name=application_name, pool_size=pool_size)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False, class_=AsyncSession)

    async def ping(self) -> bool:
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("select 1"))
            return True
        except Exception:
            return False

    async def dispose(self) -> None:
        await self.engine.dispose()
