"""Alembic per service: a shared ``env.py`` body and programmatic upgrade.

A service's ``migrations/env.py`` is two lines::

    from platform_kit.db.migrations import run_migrations_env
    from planner.adapters.orm import metadata; run_migrations_env(metadata)

Upgrades take a Postgres advisory lock, so two replicas starting together migrate once.
"""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import MetaData, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import create_async_engine


def _lock_key(name: str) -> int:
    return int.from_bytes(
        hashlib.sha256(f"migrate:{name}".encode()).digest()[:8], "big", signed=True
    )


def run_migrations_env(metadata: MetaData) -> None:
    """Body of every service's Alembic ``env.py``."""
    from alembic import context

    config = context.config
    url = (
        config.attributes.get("url")
        or context.get_x_argument(as_dictionary=True).get("url")
        or config.get_main_option("sqlalchemy.url")
    )
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=metadata, literal_binds=True, compare_type=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    if not url:
        raise RuntimeError("pass the database URL with -x url=postgresql+asyncpg://...")

    def do_run(connection: Connection) -> None:
        connection.execute(text("select pg_advisory_xact_lock(:k)"), {"k": _lock_key(str(url))})
        context.configure(connection=connection, target_metadata=metadata, compare_type=True)
        with context.begin_transaction():
            context.run_migrations()

    async def run_async() -> None:
        engine = create_async_engine(url)
        try:
            async with engine.begin() as conn:
                await conn.run_sync(do_run)
        finally:
            await engine.dispose()

    asyncio.run(run_async())


def alembic_config(script_location: str, url: str) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", script_location)
    config.attributes["url"] = url
    return config


async def upgrade_to_head(script_location: str, url: str) -> None:
    """``alembic upgrade head`` in a worker thread (env.py runs its own event loop)."""
    from alembic import command

    config = alembic_config(script_location, url)
    await asyncio.to_thread(command.upgrade, config, "head")


async def ensure_database(server_url: str, name: str) -> bool:
    """Create database ``name`` on the server if it is missing; True if created."""
    url = make_url(server_url)
    conn = await asyncpg.connect(
        host=url.host or "127.0.0.1",
        port=url.port or 5432,
        user=url.username or "postgres",
        password=url.password,
        database="postgres",
    )
    try:
        exists = await conn.fetchval("select 1 from pg_database where datname = $1", name)
        if exists:
            return False
        try:
            await conn.execute(f'create database "{name}"')
        except (asyncpg.DuplicateDatabaseError, asyncpg.UniqueViolationError):
            return False
        return True
    finally:
        await conn.close()


def migrations_path(package_file: str) -> str:
    """``script_location`` for a service package's ``migrations`` folder."""
    return str(Path(package_file).parent / "migrations")
