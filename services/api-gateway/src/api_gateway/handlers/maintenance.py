"""Background pruning of expired codes and tokens and of old login attempts."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from api_gateway.adapters import accounts, oauth_store

log = logging.getLogger(__name__)
INTERVAL_S = 3600.0


async def prune_once(runtime: Any) -> None:
    """Delete expired OAuth rows and login attempts older than two throttle windows."""
    window = timedelta(seconds=2 * runtime.settings.login_window_s)
    async with runtime.uow() as uow:
        await oauth_store.prune_expired(uow.session)
        await accounts.prune_login_attempts(uow.session, datetime.now(UTC) - window)
        await uow.commit()


async def identity_pruner(runtime: Any, stop: asyncio.Event) -> None:
    """Prune every hour until the service stops."""
    while not stop.is_set():
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), INTERVAL_S)
        if stop.is_set():
            return
        try:
            await prune_once(runtime)
        except Exception as exc:
            log.warning("identity pruning failed: %s", exc)
