"""``create_app(config, dataset=None)``: the Katana sandbox ASGI application."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from katana_sandbox.account import Account
from katana_sandbox.admin import build_admin
from katana_sandbox.config import SandboxClock, SandboxConfig
from katana_sandbox.errors import KatanaError, error_body
from katana_sandbox.middleware import Faults, SandboxMiddleware, Stats
from katana_sandbox.routes import build_router
from katana_sandbox.webhooks import Dispatcher
from restock_demodata import Dataset, generate


def create_app(
    config: SandboxConfig,
    dataset: Dataset | Mapping[str, Dataset] | None = None,
    *,
    warm: bool = False,
) -> Any:
    """Build the sandbox. ``dataset`` (one for every account, or one per API key)
    overrides generating each account's data from ``config.accounts``; ``warm``
    materialises every account's tables before returning (see :meth:`Account.warm`)."""
    datasets: dict[str, Dataset] = {}
    for key, spec in config.accounts.items():
        if isinstance(dataset, Dataset):
            datasets[key] = dataset
        elif dataset is not None and key in dataset:
            datasets[key] = dataset[key]
        else:
            datasets[key] = generate(spec)
    start = min(ds.now for ds in datasets.values())
    clock = SandboxClock(start)
    dispatcher = Dispatcher(
        config.webhook_retry_delays_s, config.webhook_timeout_s, config.public_base_url.rstrip("/")
    )
    accounts = {k: Account(k, ds, clock, dispatcher.emit) for k, ds in datasets.items()}
    if warm:
        for account in accounts.values():
            account.warm()
    faults, stats = Faults(), Stats()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await dispatcher.aclose()

    app = FastAPI(title="Katana API sandbox", lifespan=lifespan)
    app.state.accounts = accounts
    app.state.clock = clock
    app.state.faults = faults
    app.state.stats = stats
    app.state.dispatcher = dispatcher

    @app.exception_handler(KatanaError)
    async def katana_error(_: Request, exc: KatanaError) -> JSONResponse:
        body = error_body(
            exc.status,
            exc.message,
            exc.code,
            exc.details,
            wrapped=exc.wrapped or config.wrap_errors,
        )
        return JSONResponse(body, status_code=exc.status)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if request.url.path.startswith("/v1"):
            body = error_body(exc.status_code, wrapped=config.wrap_errors)
        else:
            body = {"detail": exc.detail}
        return JSONResponse(body, status_code=exc.status_code)

    app.include_router(build_router(accounts, faults))
    app.include_router(build_admin(accounts, clock, faults, stats, dispatcher, config.admin_token))
    return SandboxMiddleware(
        app,
        set(accounts),
        config.rate_limit,
        config.rate_window_s,
        faults,
        stats,
        config.wrap_errors,
        config.fault_seed,
        on_write=lambda: _touch_all(accounts),
    )


def _touch_all(accounts: Mapping[str, Account]) -> None:
    for a in accounts.values():
        a.touch()
