"""Configuration of a Xero sandbox instance: registered apps, organisations, timings, limits."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class ClientApp:
    """An OAuth 2.0 app registered with the sandbox (Xero "My Apps" entry).

    ``client_secret=None`` makes a PKCE-only app (no secret issued), as Xero's
    "Auth Code with PKCE" app type.
    """

    client_id: str
    client_secret: str | None
    redirect_uris: tuple[str, ...]
    webhook_url: str | None = None
    webhook_key: str | None = None


@dataclass(frozen=True)
class OrgSpec:
    """One seeded organisation (tenant). Data comes from the demo-data generator."""

    name: str
    seed: int = 42
    items: int = 40
    years: float = 1.0
    base_currency: str = "NZD"
    time_zone: str = "Pacific/Auckland"


@dataclass(frozen=True)
class Timings:
    """Every provider timing, in seconds, measured on the sandbox clock."""

    access_token: float = 1800.0
    refresh_grace: float = 1800.0
    refresh_token_ttl: float = 60 * 86400.0
    auth_code: float = 300.0
    idempotency_window: float = 360.0
    minute_window: float = 60.0
    day_window: float = 86400.0
    webhook_batch: float = 0.2
    webhook_retries: tuple[float, ...] = (1.0, 5.0, 30.0, 120.0)
    webhook_timeout: float = 5.0


@dataclass(frozen=True)
class Limits:
    """Xero API limits, per organisation and per app."""

    enabled: bool = True
    per_minute: int = 60
    concurrent: int = 5
    per_day: int = 5000
    app_per_minute: int = 10000


def _default_orgs() -> tuple[OrgSpec, ...]:
    return (
        OrgSpec(name="Kiwi Outdoor Gear Ltd", seed=42, items=40, years=1.0),
        OrgSpec(
            name="Sydney Trail Supplies Pty Ltd",
            seed=43,
            items=15,
            years=1.0,
            base_currency="AUD",
            time_zone="Australia/Sydney",
        ),
    )


def _default_clients() -> tuple[ClientApp, ...]:
    return (
        ClientApp(
            client_id="RESTOCKSANDBOXCLIENT0000000000001",
            client_secret="sandbox-secret-change-me",
            redirect_uris=("http://localhost:8000/oauth/xero/callback",),
        ),
    )


@dataclass(frozen=True)
class SandboxConfig:
    """Everything needed to build one sandbox app (see ``create_app``)."""

    clients: tuple[ClientApp, ...] = field(default_factory=_default_clients)
    organisations: tuple[OrgSpec, ...] = field(default_factory=_default_orgs)
    timings: Timings = field(default_factory=Timings)
    limits: Limits = field(default_factory=Limits)
    auto_consent: bool = False
    start_time: datetime | None = None
    user_email: str = "demo.user@example.com"
    provider_name: str = "Restock Xero Sandbox"
    itr_attempts: int = 4

    def client(self, client_id: str | None) -> ClientApp | None:
        """Return the registered app with this id, if any."""
        for app in self.clients:
            if app.client_id == client_id:
                return app
        return None
