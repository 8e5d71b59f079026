"""The public route table of ``/api/v1`` (pure): which service owns a public path, the
service path it maps to, and the reverse mapping used to rewrite ``Location`` headers and
the merged OpenAPI document.

Public path = ``/api/v1`` + the service path with the service's leading ``/v1`` removed,
except connector-katana, whose paths get a ``/katana`` prefix. Provider callbacks
(webhooks, the Xero OAuth callback) are proxied unchanged and are public.
"""

from __future__ import annotations

from dataclasses import dataclass

API_PREFIX = "/api/v1"

SERVICES = ("connector-katana", "connector-xero", "forecaster", "planner", "po-gateway")
"""Upstream services, named as in ``deploy/local/stack.py`` (settings ``<name>_url``)."""


@dataclass(frozen=True)
class Route:
    """Public paths equal to ``public`` or below ``public + '/'`` go to ``service`` at
    ``upstream`` + the rest of the path."""

    public: str
    service: str
    upstream: str


ROUTES: tuple[Route, ...] = (
    Route("/api/v1/katana/connections", "connector-katana", "/connections"),
    Route("/api/v1/katana/loads", "connector-katana", "/loads"),
    Route("/api/v1/xero", "connector-xero", "/v1/xero"),
    Route("/api/v1/forecasts", "forecaster", "/forecasts"),
    Route("/api/v1/forecast-runs", "forecaster", "/forecast-runs"),
    Route("/api/v1/overrides", "forecaster", "/overrides"),
    Route("/api/v1/plan", "planner", "/v1/plan"),
    Route("/api/v1/settings", "planner", "/v1/settings"),
    Route("/api/v1/purchase-orders", "po-gateway", "/v1/purchase-orders"),
)

PASSTHROUGH: tuple[Route, ...] = (
    Route("/webhooks/katana", "connector-katana", "/webhooks/katana"),
    Route("/webhooks/xero", "connector-xero", "/webhooks/xero"),
    Route("/oauth/xero/callback", "connector-xero", "/oauth/xero/callback"),
)
"""Public provider paths, forwarded unchanged and without a caller identity."""

OWN_PREFIXES = (
    "/me",
    "/members",
    "/invitations",
    "/api-keys",
    "/oauth-clients",
    "/tenants/current",
    "/signup",
    "/password-resets",
)
"""The gateway's own ``/v1`` routes, also mounted below ``/api/v1``."""

PUBLIC_API = frozenset(
    {
        ("GET", "/api/v1/openapi.json"),
        ("POST", "/api/v1/signup"),
        ("POST", "/api/v1/signup/invitation"),
        ("POST", "/api/v1/password-resets"),
        ("POST", "/api/v1/password-resets/confirm"),
    }
)
"""The part of the §3 allowlist below ``/api/v1`` (no bearer credential needed)."""


@dataclass(frozen=True)
class Target:
    """Where one request goes."""

    service: str
    path: str
    public: bool


def _below(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")


def resolve(path: str) -> Target | None:
    """The upstream of a public path, or None when no service owns it."""
    for route in ROUTES:
        if _below(path, route.public):
            return Target(route.service, route.upstream + path[len(route.public) :], False)
    for route in PASSTHROUGH:
        if _below(path, route.public):
            return Target(route.service, path, True)
    return None


def public_path(service: str, path: str) -> str | None:
    """The public path of a service path (None when the service path is not exposed)."""
    for route in (*ROUTES, *PASSTHROUGH):
        if route.service == service and _below(path, route.upstream):
            return route.public + path[len(route.upstream) :]
    return None
