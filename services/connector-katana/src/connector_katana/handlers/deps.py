"""What the use cases need, built once per runtime (never at import)."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from connector_katana.adapters.budget import RateBudget
from connector_katana.adapters.katana_client import KatanaClient
from connector_katana.settings import Settings
from platform_kit.clock import Clock
from platform_kit.crypto import KeyRing
from platform_kit.db.engine import Database
from platform_kit.db.uow import UnitOfWork
from platform_kit.logging import secrets
from platform_kit.service_metrics import SyncMetrics


@dataclass
class Deps:
    """Database, clock, key ring, rate budget and one shared HTTP client."""

    db: Database
    settings: Settings
    clock: Clock
    keyring: KeyRing
    budget: RateBudget
    http: httpx.AsyncClient
    owner: str = field(default_factory=lambda: uuid.uuid4().hex[:16])
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    metrics: SyncMetrics | None = None

    def uow(self) -> UnitOfWork:
        """A new unit of work."""
        return UnitOfWork(self.db)

    def client_for_key(self, base_url: str, api_key: str, key_id: str) -> KatanaClient:
        """A budgeted client for a (not yet stored) API key."""
        secrets.add(api_key)
        return KatanaClient(base_url, api_key, key_id, self.budget, self.http)

    def client(self, conn: Any) -> KatanaClient:
        """A budgeted client for a stored connection (decrypts its key; aad = connection id)."""
        api_key = self.keyring.decrypt(conn.api_key_enc, aad=str(conn.connection_id))
        return self.client_for_key(conn.base_url, api_key, conn.key_id)


def build_deps(
    db: Database,
    settings: Settings,
    clock: Clock,
    keyring: KeyRing,
    stop: asyncio.Event,
    metrics: SyncMetrics | None = None,
) -> Deps:
    """Deps for a runtime (``stop`` is the runtime's shutdown signal); ``metrics`` counts
    every Katana call by status (transport errors as ``error``)."""
    budget = RateBudget(
        db,
        limit=settings.rate_limit,
        window_s=settings.rate_window_s,
        headroom=settings.rate_headroom,
        po_reserve=settings.rate_po_reserve,
        enabled=settings.limiter_enabled,
    )
    limits = httpx.Limits(max_connections=20)
    options = metrics.client_options("katana", limits) if metrics else {"limits": limits}
    http = httpx.AsyncClient(timeout=settings.http_timeout_s, **options)
    return Deps(db, settings, clock, keyring, budget, http, stop=stop, metrics=metrics)
