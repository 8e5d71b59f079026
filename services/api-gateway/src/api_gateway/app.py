"""Wiring: the api-gateway service spec and its app factory."""

from fastapi import FastAPI

from api_gateway.adapters.orm import metadata
from api_gateway.settings import Settings
from platform_kit.db.migrations import migrations_path
from platform_kit.service import ServiceSpec, create_app


def build_spec(settings: Settings | None = None) -> ServiceSpec:
    return ServiceSpec(
        name="api-gateway",
        settings=settings or Settings(),
        metadata=metadata,
        migrations=migrations_path(__file__),
        description="Public API, identity and tenants: the only way in for the web app, "
        "partners and operators.",
    )


def create() -> FastAPI:
    """Factory for ``uvicorn --factory api_gateway.app:create``."""
    return create_app(build_spec())
