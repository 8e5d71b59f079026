"""Fixtures: the forecaster served for real (embedded Postgres and broker), event builders."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from fc_support import Bus, make_settings

from forecaster.adapters.orm import metadata
from forecaster.app import build_spec
from forecaster.settings import Settings
from platform_kit.db import Database
from platform_kit.db.migrations import ensure_database, upgrade_to_head


@pytest.fixture
def db_name(unique_name: str) -> str:
    return f"fc_{unique_name}"


@pytest.fixture
def settings_factory(
    pg_url: str, kafka_bootstrap: str, keys_dir: Path, db_name: str
) -> Callable[..., Settings]:
    def build(**extra: Any) -> Settings:
        return make_settings(pg_url, kafka_bootstrap, keys_dir, db_name, **extra)

    return build


@pytest_asyncio.fixture
async def db(pg_url: str, db_name: str) -> AsyncIterator[Database]:
    """The forecaster's migrated database (no service running)."""
    settings = Settings.model_validate({"DATABASE_URL": pg_url, "database_name": db_name})
    await ensure_database(pg_url, db_name)
    url = settings.service_database_url()
    await upgrade_to_head(build_spec(settings).migrations, url)
    database = Database(url, metadata, application_name="test", pool_size=4)
    try:
        yield database
    finally:
        await database.dispose()


@pytest_asyncio.fixture
async def bus(kafka_bootstrap: str) -> AsyncIterator[Bus]:
    """Call ``await bus.start()`` after the service created the topics."""
    b = Bus(kafka_bootstrap)
    try:
        yield b
    finally:
        if b.started:
            await b.stop()
