"""Helpers for the connector-katana tests, importable by name (fixtures live in conftest)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from connector_katana.app import build_spec
from connector_katana.settings import Settings
from platform_kit.service import create_app
from platform_kit.testing.servers import serve_app
from restock_demodata import DatasetSpec

SPEC = DatasetSpec(seed=7, skus=30, locations=2, years=0.25)


API_KEY = "katana-test-key-0001"


def db_url(pg_url: str, name: str) -> str:
    return pg_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + f"/{name}"


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
