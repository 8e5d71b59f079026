"""Wiring: the api-gateway service spec and its app factory."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from api_gateway.adapters.orm import metadata
from api_gateway.api import accounts, oauth, team
from api_gateway.consumers import connections
from api_gateway.handlers.maintenance import identity_pruner
from api_gateway.handlers.setup import start_identity
from api_gateway.settings import Settings
from platform_kit.db.migrations import migrations_path
from platform_kit.service import ServiceSpec, create_app


def _subscriptions(runtime: Any) -> list[Any]:
    return [connections.subscription()]


def build_spec(settings: Settings | None = None) -> ServiceSpec:
    return ServiceSpec(
        name="api-gateway",
        settings=settings or Settings(),
        metadata=metadata,
        migrations=migrations_path(__file__),
        routers=[oauth.router, accounts.router, team.router],
        subscriptions=_subscriptions,
        on_startup=[start_identity],
        background=[identity_pruner],
        description="Public API, identity and tenants: the only way in for the web app, "
        "partners and operators.",
    )


def create() -> FastAPI:
    """Factory for ``uvicorn --factory api_gateway.app:create``."""
    return create_app(build_spec())
