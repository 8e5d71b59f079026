"""Wiring: the connector-xero service spec and its app factory."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from fastapi import FastAPI

from connector_xero.adapters.orm import metadata
from connector_xero.api import public, routes
from connector_xero.consumers.po_requests import subscriptions
from connector_xero.handlers import workers
from connector_xero.handlers.deps import Deps, build_deps
from connector_xero.settings import Settings
from platform_kit.db.migrations import migrations_path
from platform_kit.service import Runtime, ServiceSpec, create_app
from platform_kit.service_metrics import SyncMetrics


async def _startup(runtime: Runtime) -> None:
    assert runtime.db is not None
    assert runtime.keyring is not None
    settings = runtime.settings
    assert isinstance(settings, Settings)
    runtime.extras["xero"] = build_deps(
        runtime.db,
        settings,
        runtime.clock,
        runtime.keyring,
        metrics=runtime.metrics.family(SyncMetrics),
    )


def _task(
    loop: Callable[[Deps, asyncio.Event], Awaitable[None]], enabled: Callable[[Settings], bool]
) -> Callable[[Runtime, asyncio.Event], Awaitable[None]]:
    async def task(runtime: Runtime, stop: asyncio.Event) -> None:
        deps: Deps = runtime.extras["xero"]
        if enabled(deps.settings):
            await loop(deps, stop)

    task.__name__ = loop.__name__
    return task


async def _close_http(runtime: Runtime, stop: asyncio.Event) -> None:
    await stop.wait()
    await runtime.extras["xero"].http.aclose()


def build_spec(settings: Settings | None = None) -> ServiceSpec:
    """The service: tables, routes, the PO-request consumer and the background workers."""
    return ServiceSpec(
        name="connector-xero",
        settings=settings or Settings(),
        metadata=metadata,
        migrations=migrations_path(__file__),
        routers=[routes.router, public.router],
        subscriptions=lambda runtime: subscriptions(),
        on_startup=[_startup],
        background=[
            _task(workers.job_loop, lambda s: True),
            _task(workers.po_loop, lambda s: True),
            _task(workers.webhook_loop, lambda s: True),
            _task(workers.schedule_loop, lambda s: s.schedule_enabled),
            _task(workers.budget_loop, lambda s: True),
            _close_http,
        ],
        description="Xero connector: OAuth grants, load jobs, webhooks, purchase-order creation.",
    )


def create() -> FastAPI:
    """Factory for ``uvicorn --factory connector_xero.app:create``."""
    return create_app(build_spec())
