"""Wiring: the connector-xero service spec and its app factory."""

from fastapi import FastAPI

from connector_xero.adapters.orm import metadata
from connector_xero.settings import Settings
from platform_kit.db.migrations import migrations_path
from platform_kit.service import ServiceSpec, create_app


def build_spec(settings: Settings | None = None) -> ServiceSpec:
    return ServiceSpec(
        name="connector-xero",
        settings=settings or Settings(),
        metadata=metadata,
        migrations=migrations_path(__file__),
        description="Xero connector: OAuth grants, load jobs, webhooks, purchase-order creation.",
    )


def create() -> FastAPI:
    """Factory for ``uvicorn --factory connector_xero.app:create``."""
    return create_app(build_spec())
