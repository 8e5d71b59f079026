"""Every service's migrations reach exactly its declared tables (no drift, no missing revision)."""

from __future__ import annotations

import importlib

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine

from platform_kit.db.migrations import ensure_database, migrations_path, upgrade_to_head

SERVICES = [
    "api_gateway",
    "connector_katana",
    "connector_xero",
    "forecaster",
    "planner",
    "po_gateway",
]


@pytest.mark.asyncio
@pytest.mark.parametrize("package", SERVICES)
async def test_head_matches_metadata(package: str, pg_url: str, unique_name: str) -> None:
    app = importlib.import_module(f"{package}.app")
    orm = importlib.import_module(f"{package}.adapters.orm")
    name = f"{unique_name}_{package}"
    await ensure_database(pg_url, name)
    url = pg_url.replace("postgresql://", "postgresql+asyncpg://").rsplit("/", 1)[0] + f"/{name}"
    await upgrade_to_head(migrations_path(app.__file__), url)
    await upgrade_to_head(migrations_path(app.__file__), url)
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            diff = await conn.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), orm.metadata)
            )
    finally:
        await engine.dispose()
    assert diff == [], f"{package}: metadata and migrations differ: {diff}"
