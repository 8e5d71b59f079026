"""What the use cases need, built once in the app's startup hook."""

from __future__ import annotations

import socket
import uuid
from dataclasses import dataclass, field

import httpx

from connector_xero.adapters.budget import Budget
from connector_xero.adapters.identity import XeroIdentity
from connector_xero.adapters.tokens import TokenStore
from connector_xero.adapters.xero_api import XeroApi
from connector_xero.settings import Settings
from platform_kit.clock import Clock
from platform_kit.crypto import KeyRing
from platform_kit.db.engine import Database
from platform_kit.db.uow import UnitOfWork
from platform_kit.service_metrics import SyncMetrics


@dataclass
class Deps:
    """Database, clock, keys and the Xero clients of one process."""

    db: Database
    settings: Settings
    clock: Clock
    keyring: KeyRing
    http: httpx.AsyncClient
    identity: XeroIdentity
    tokens: TokenStore
    budget: Budget
    api: XeroApi
    metrics: SyncMetrics | None = None
    worker_id: str = field(default_factory=lambda: f"{socket.gethostname()}-{uuid.uuid4().hex[:8]}")

    def uow(self) -> UnitOfWork:
        """A new unit of work (the only thing that commits)."""
        return UnitOfWork(self.db)


def build_deps(
    db: Database,
    settings: Settings,
    clock: Clock,
    keyring: KeyRing,
    metrics: SyncMetrics | None = None,
) -> Deps:
    """Wire the adapters for one process (counting provider calls by status, transport
    errors as ``error``, when ``metrics``)."""
    options = metrics.client_options("xero") if metrics else {}
    http = httpx.AsyncClient(timeout=settings.http_timeout_s, follow_redirects=False, **options)
    identity = XeroIdentity(settings, http)
    tokens = TokenStore(db, keyring, identity)
    budget = Budget(
        db,
        per_minute=settings.budget_per_minute,
        window_s=settings.budget_window_s,
        margin_s=settings.budget_window_margin_s,
        headroom=settings.budget_headroom,
        po_reserve=settings.budget_po_reserve,
        concurrency=settings.budget_concurrency,
        per_day=settings.budget_per_day,
        day_window_s=settings.budget_day_window_s,
        enabled=settings.budget_enabled,
    )
    api = XeroApi(http, settings.api_url, budget, tokens, max_retries=settings.max_retries)
    return Deps(db, settings, clock, keyring, http, identity, tokens, budget, api, metrics=metrics)
