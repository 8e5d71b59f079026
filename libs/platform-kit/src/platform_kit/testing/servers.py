"""Run apps as real HTTP servers inside a test's event loop."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import uvicorn

from platform_kit.infra import free_port


@contextlib.asynccontextmanager
async def serve_app(
    app: Any, host: str = "127.0.0.1", port: int | None = None
) -> AsyncIterator[str]:
    """Start ``app`` with uvicorn on a free port (lifespan included); yield its base URL."""
    port = port or free_port()
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_config=None,
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=10,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if task.done():
                task.result()
                raise RuntimeError("server exited during startup")
            await asyncio.sleep(0.02)
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, 30)
