"""Fixtures: a real Katana sandbox, a fresh database per test, the session broker."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from connector_katana.app import build_spec
from connector_katana.settings import Settings
from katana_sandbox.testing import RunningSandbox, running_sandbox
from platform_kit.service import create_app
from platform_kit.testing.servers import serve_app
from restock_demodata import DatasetSpec, generate

SPEC = DatasetSpec(seed=7, skus=30, locations=2, years=0.25)
API_KEY = "katana-test-key-0001"


@pytest.fixture(scope="session")
def dataset() -> Any:
    return generate(SPEC)


@pytest.fixture
def sandbox(dataset: Any) -> Iterator[RunningSandbox]:
    """A fresh sandbox (60 requests per 0.5 s) with one account."""
    with running_sandbox(
        accounts={API_KEY: SPEC},
        dataset={API_KEY: dataset},
        rate_limit=60,
        rate_window_s=0.5,
        webhook_retry_delays_s=(0.2, 0.4, 0.8),
    ) as sb:
        yield sb


def db_url(pg_url: str, name: str) -> str:
    return pg_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + f"/{name}"


@pytest.fixture
def make_settings(
    pg_url: str, kafka_bootstrap: str, keys_dir: Path, unique_name: str
) -> Callable[..., Settings]:
    """Settings for one connector runtime against a fresh per-test database."""

    def make(sandbox: RunningSandbox, **overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "database_url": pg_url,
            "database_name": unique_name,
            "kafka_bootstrap_servers": kafka_bootstrap,
            "keys_dir": keys_dir,
            "katana_base_url": sandbox.base_url,
            "rate_limit": 60,
            "rate_window_s": 0.5,
            "rate_headroom": 8,
            "rate_po_reserve": 4,
            "webhook_coalesce_s": 0.5,
            "webhook_flush_poll_s": 0.1,
            "scheduler_enabled": False,
            "job_poll_s": 0.1,
            "po_worker_poll_s": 0.1,
            "job_lease_s": 3.0,
            "http_timeout_s": 5.0,
            "page_limit": 50,
            "log_json": False,
            "consumer_session_timeout_ms": 2000,
            "relay_poll_interval_s": 0.02,
            "run_consumers": False,
        }
        values.update(overrides)
        return Settings(**values)

    return make


@contextlib.asynccontextmanager
async def connector(settings: Settings, port: int | None = None) -> AsyncIterator[tuple[str, Any]]:
    """Serve one connector runtime; yields its base URL and the app."""
    app = create_app(build_spec(settings))
    async with serve_app(app, port=port) as base:
        yield base, app


class Api:
    """Small HTTP helper bound to one tenant."""

    def __init__(self, base: str, token: str) -> None:
        self.http = httpx.AsyncClient(
            base_url=base, timeout=30, headers={"Authorization": f"Bearer {token}"}
        )

    async def connect(self, api_key: str = API_KEY) -> dict[str, Any]:
        r = await self.http.post("/connections", json={"api_key": api_key})
        assert r.status_code == 201, r.text
        return dict(r.json())

    async def load(
        self, connection_id: str, mode: str = "incremental", entities: list[str] | None = None
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"mode": mode}
        if entities:
            body["entities"] = entities
        r = await self.http.post(f"/connections/{connection_id}/loads", json=body)
        assert r.status_code == 202, r.text
        return dict(r.json())

    async def job(self, job_id: str) -> dict[str, Any]:
        r = await self.http.get(f"/loads/{job_id}")
        assert r.status_code == 200, r.text
        return dict(r.json())

    async def wait_job(self, job_id: str, limit_s: float = 60) -> dict[str, Any]:
        deadline = asyncio.get_running_loop().time() + limit_s
        while True:
            job = await self.job(job_id)
            if job["status"] not in ("queued", "running"):
                return job
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"job not finished: {job}")
            await asyncio.sleep(0.1)

    async def close(self) -> None:
        await self.http.aclose()


@pytest.fixture
def tenant() -> uuid.UUID:
    return uuid.uuid4()


async def outbox(settings: Settings, where: str = "true") -> list[dict[str, Any]]:
    """Outbox rows of the connector's database (what it published, in order)."""
    import json

    engine = create_async_engine(settings.service_database_url())
    try:
        async with engine.connect() as conn:
            rows = (
                await conn.execute(
                    text(
                        f"select event_id, topic, event_type, value from outbox where {where} order by id"
                    )
                )
            ).all()
    finally:
        await engine.dispose()
    return [
        {
            "event_id": r.event_id,
            "topic": r.topic,
            "event_type": r.event_type,
            "envelope": json.loads(r.value),
        }
        for r in rows
    ]


async def sql(settings: Settings, query: str, **params: Any) -> list[Any]:
    """Run a query on the connector's database."""
    engine = create_async_engine(settings.service_database_url())
    try:
        async with engine.begin() as conn:
            result = await conn.execute(text(query), params)
            return list(result.all()) if result.returns_rows else []
    finally:
        await engine.dispose()
