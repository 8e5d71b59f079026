"""Wiring: the connector-katana service spec and its app factory."""

from fastapi import FastAPI
from platform_kit.db.migrations import migrations_path
from platform_kit.service import ServiceSpec, create_app

from connector_katana.adapters.orm import metadata
from connector_katana.settings import Settings


def build_spec(settings: Settings | None = None) -> ServiceSpec:
    return ServiceSpec(
        name="connector-katana",
        settings=settings or Settings(),
        metadata=metadata,
        migrations=migrations_path(__file__),
        description="Katana MRP connector: connections, load jobs, webhooks, purchase-order creation.",
    )


def create() -> FastAPI:
    """Factory for ``uvicorn --factory connector_katana.app:create``."""
    return create_app(build_spec())
