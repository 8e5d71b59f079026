"""Wiring: the connector-katana service spec and its app factory."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import FastAPI

from connector_katana.adapters.orm import metadata
from connector_katana.api import routes, webhooks
from connector_katana.background import BACKGROUND
from connector_katana.consumers import po_requests
from connector_katana.handlers.deps import build_deps
from connector_katana.settings import Settings
from platform_kit.db.migrations import migrations_path
from platform_kit.service import Runtime, ServiceSpec, create_app
from platform_kit.service_metrics import SyncMetrics


async def _build_deps(runtime: Runtime) -> None:
    assert runtime.db is not None
    assert runtime.keyring is not None
    settings = runtime.settings
    assert isinstance(settings, Settings)
    runtime.extras["deps"] = build_deps(
        runtime.db,
        settings,
        runtime.clock,
        runtime.keyring,
        runtime.stop,
        metrics=runtime.metrics.family(SyncMetrics),
    )


async def _close_http(runtime: Any, stop: asyncio.Event) -> None:
    """Close the shared HTTP client once the other loops have stopped using it."""
    await stop.wait()
    others = [t for t in runtime.tasks if t is not asyncio.current_task() and not t.done()]
    if others:
        await asyncio.wait(others, timeout=10)
    await runtime.extras["deps"].http.aclose()


def build_spec(settings: Settings | None = None) -> ServiceSpec:
    """The service spec: tables, routes, the PO-request consumer and background loops."""
    return ServiceSpec(
        name="connector-katana",
        settings=settings or Settings(),
        metadata=metadata,
        migrations=migrations_path(__file__),
        routers=[routes.router, webhooks.router],
        subscriptions=lambda runtime: [po_requests.subscription()],
        on_startup=[_build_deps],
        background=[*BACKGROUND, _close_http],
        description="Katana MRP connector: connections, loads, webhooks, PO creation.",
    )


def create() -> FastAPI:
    """Factory for ``uvicorn --factory connector_katana.app:create``."""
    return create_app(build_spec())
