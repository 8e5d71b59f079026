"""Wiring: the api-gateway service spec and its app factory."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

from api_gateway.adapters.orm import metadata
from api_gateway.api import accounts, oauth, proxy, team
from api_gateway.api.protection import AuditWrites, BodyLimit, SecurityHeaders
from api_gateway.api.web import default_dist, mount_web
from api_gateway.consumers import connections
from api_gateway.handlers.gateway import bucket_pruner, close_front, start_front
from api_gateway.handlers.maintenance import identity_pruner
from api_gateway.handlers.setup import start_identity
from api_gateway.settings import Settings
from platform_kit.db.migrations import migrations_path
from platform_kit.service import ServiceSpec, create_app

EXPOSED_HEADERS = ["ETag", "Location", "Retry-After", "X-Correlation-ID", "Content-Disposition"]
ALLOWED_HEADERS = [
    "Authorization",
    "Content-Type",
    "If-Match",
    "Idempotency-Key",
    "X-Correlation-ID",
    "X-Confirm-Tenant-Deletion",
]


def _subscriptions(runtime: Any) -> list[Any]:
    return [connections.subscription()]


def _configure(settings: Settings) -> Any:
    """Own routes again below ``/api/v1``, the proxy, the web app and the edge middleware
    (outermost last: security headers > CORS > body limit > audit > the kit's)."""

    def configure(app: FastAPI) -> None:
        for router in (accounts.router, team.router):
            app.include_router(router, prefix="/api", include_in_schema=False)
        app.include_router(proxy.router)
        dist = settings.web_dist or default_dist()
        if dist is not None:
            mount_web(app, dist)
        app.add_middleware(AuditWrites)
        app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=ALLOWED_HEADERS,
            expose_headers=EXPOSED_HEADERS,
            max_age=600,
        )
        app.add_middleware(SecurityHeaders, https=settings.issuer.startswith("https://"))

    return configure


def build_spec(settings: Settings | None = None) -> ServiceSpec:
    settings = settings or Settings()
    return ServiceSpec(
        name="api-gateway",
        settings=settings,
        metadata=metadata,
        migrations=migrations_path(__file__),
        routers=[oauth.router, accounts.router, team.router],
        subscriptions=_subscriptions,
        on_startup=[start_identity, start_front],
        background=[identity_pruner, bucket_pruner, close_front],
        description="Public API, identity and tenants: the only way in for the web app, "
        "partners and operators.",
        configure_app=_configure(settings),
    )


def create() -> FastAPI:
    """Factory for ``uvicorn --factory api_gateway.app:create``."""
    return create_app(build_spec())
