"""The per-app container of sandbox state (no globals: one instance per ``create_app``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.requests import Request

from xero_sandbox.clock import SandboxClock
from xero_sandbox.config import SandboxConfig
from xero_sandbox.faults import Faults, Stats
from xero_sandbox.limits import RateLimiter
from xero_sandbox.oauth import IdentityState
from xero_sandbox.store import Org

if TYPE_CHECKING:
    from xero_sandbox.webhooks import WebhookDispatcher


@dataclass
class Sandbox:
    """Everything one sandbox instance holds in memory."""

    config: SandboxConfig
    clock: SandboxClock
    orgs: dict[str, Org]
    identity: IdentityState
    limiter: RateLimiter
    webhooks: WebhookDispatcher
    faults: Faults = field(default_factory=Faults)
    stats: Stats = field(default_factory=Stats)
    idempotency: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)
    created_pos: list[dict[str, Any]] = field(default_factory=list)


def sandbox_of(request: Request) -> Sandbox:
    """The sandbox behind a request."""
    sandbox: Sandbox = request.app.state.sandbox
    return sandbox
