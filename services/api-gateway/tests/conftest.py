"""Fixtures: one served api-gateway per test module (tests sign up their own tenants, so
they do not interfere), on its own database, with a file mailer."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from gw_support import Gateway, running_gateway


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def gw(
    pg_url: str, kafka_bootstrap: str, keys_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Gateway]:
    name = "gw_" + uuid.uuid4().hex[:12]
    async with running_gateway(
        pg_url, kafka_bootstrap, keys_dir, name, tmp_path_factory.mktemp("gw")
    ) as gateway:
        yield gateway
