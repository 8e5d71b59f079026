"""Application factory: ``create_app(config)`` builds one independent sandbox."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from xero_sandbox import accounting_routes, admin, admin_data, identity_routes, po_routes
from xero_sandbox.clock import SandboxClock
from xero_sandbox.config import SandboxConfig
from xero_sandbox.errors import ApiError
from xero_sandbox.gate import ApiGate
from xero_sandbox.index import CacheGuard, warm
from xero_sandbox.limits import RateLimiter
from xero_sandbox.oauth import IdentityState
from xero_sandbox.runtime import Sandbox
from xero_sandbox.seed import seed_org
from xero_sandbox.store import Org
from xero_sandbox.webhooks import WebhookDispatcher


def build_sandbox(config: SandboxConfig, clock: SandboxClock | None = None) -> Sandbox:
    """Seed every configured organisation and wire the in-memory state."""
    orgs: dict[str, Org] = {}
    history_end = None
    for spec in config.organisations:
        org, now = seed_org(spec)
        warm(org)
        orgs[org.tenant_id] = org
        history_end = now if history_end is None else max(history_end, now)
    if clock is None:
        clock = SandboxClock(config.start_time or history_end)
    identity = IdentityState(
        config=config,
        clock=clock,
        tenants={tid: org.name for tid, org in orgs.items()},
        auto_consent=config.auto_consent,
    )
    return Sandbox(
        config=config,
        clock=clock,
        orgs=orgs,
        identity=identity,
        limiter=RateLimiter(config.limits, config.timings, clock),
        webhooks=WebhookDispatcher(config, clock),
    )


async def _api_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return exc.response


def create_app(config: SandboxConfig, *, clock: SandboxClock | None = None) -> FastAPI:
    """Build the sandbox ASGI app (identity + accounting API + admin) with fresh state."""
    sandbox = build_sandbox(config, clock)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await sandbox.webhooks.start()
        try:
            yield
        finally:
            await sandbox.webhooks.stop()

    app = FastAPI(title="Xero sandbox", version="0.1.0", lifespan=lifespan)
    app.state.sandbox = sandbox
    app.add_middleware(ApiGate)
    app.add_middleware(CacheGuard)
    app.add_exception_handler(ApiError, _api_error)
    for module in (identity_routes, accounting_routes, po_routes, admin, admin_data):
        app.include_router(module.router)
    return app
