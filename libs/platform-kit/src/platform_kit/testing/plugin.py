"""pytest plugin (loaded from the root config): infrastructure and token fixtures.

Session fixtures ``pg_url`` and ``kafka_bootstrap`` give the shared server and broker;
``unique_name`` names a fresh database per test; ``private_postgres`` and
``private_broker`` give a test its own instances to break. ``internal_keys`` and
``mint_token`` sign internal tokens the way api-gateway does.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from platform_kit.testing import backend, new_broker, new_postgres


@pytest.fixture(scope="session")
def pg_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of a Postgres server for this test session (see the backend switch)."""
    if backend() == "external":
        yield os.environ["DATABASE_URL"]
        return
    server = new_postgres(tmp_path_factory.mktemp("pg") / "data")
    try:
        yield server.url
    finally:
        server.destroy()


@pytest.fixture(scope="session")
def kafka_bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Bootstrap servers of a broker for this test session."""
    if backend() == "external":
        yield os.environ["KAFKA_BOOTSTRAP_SERVERS"]
        return
    broker = new_broker(tmp_path_factory.mktemp("broker") / "broker.log")
    try:
        yield broker.bootstrap
    finally:
        broker.stop()


@pytest.fixture
def private_postgres(tmp_path: Path) -> Iterator[Any]:
    """A Postgres server only this test uses (it may stop and restart it)."""
    server = new_postgres(tmp_path / "pgdata")
    try:
        yield server
    finally:
        server.destroy()


@pytest.fixture
def private_broker(tmp_path: Path) -> Iterator[Any]:
    """A broker only this test uses (it may pause, kill or empty it)."""
    broker = new_broker(tmp_path / "broker.log")
    try:
        yield broker
    finally:
        broker.stop()


@pytest.fixture
def unique_name() -> str:
    return "t" + uuid.uuid4().hex[:12]


@pytest.fixture(scope="session")
def keys_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A keys folder (internal signing and encryption keys are generated into it)."""
    return tmp_path_factory.mktemp("keys")


@pytest.fixture(scope="session")
def internal_keys(keys_dir: Path) -> Any:
    from platform_kit.auth import InternalKeys

    return InternalKeys.load(keys_dir)


@pytest.fixture(scope="session")
def mint_token(internal_keys: Any) -> Callable[..., str]:
    """``mint_token(tenant_id, roles=["admin"], user_id="u1", ttl_s=300)``."""

    def mint(
        tenant_id: uuid.UUID | str,
        roles: list[str] | None = None,
        user_id: str = "test-user",
        ttl_s: int = 300,
    ) -> str:
        return str(internal_keys.mint_for(tenant_id, user_id, roles or ["admin"], ttl_s))

    return mint


def pytest_configure(config: pytest.Config) -> None:
    """Under CI, property-based tests use a fixed seed so a run is reproducible."""
    try:
        from hypothesis import settings
    except ImportError:  # pragma: no cover - hypothesis is a dev dependency
        return
    settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
    if os.environ.get("CI"):
        settings.load_profile("ci")
