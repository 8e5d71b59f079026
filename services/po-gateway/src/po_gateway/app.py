"""Wiring: the po-gateway service spec and its app factory."""

from fastapi import FastAPI

from platform_kit.db.migrations import migrations_path
from platform_kit.service import ServiceSpec, create_app
from po_gateway.adapters.orm import metadata
from po_gateway.api import actions, orders
from po_gateway.background import sending_sweep
from po_gateway.consumers import subscriptions
from po_gateway.settings import Settings


def build_spec(settings: Settings | None = None) -> ServiceSpec:
    """po-gateway: draft/approval/send routes, the result, connection and FX consumers and
    the sending sweep."""
    return ServiceSpec(
        name="po-gateway",
        settings=settings or Settings(),
        metadata=metadata,
        migrations=migrations_path(__file__),
        routers=(orders.router, actions.router),
        subscriptions=subscriptions,
        background=(sending_sweep,),
        description="Purchase-order drafts, approval and exactly-once sending to Katana and Xero.",
    )


def create() -> FastAPI:
    """Factory for ``uvicorn --factory po_gateway.app:create``."""
    return create_app(build_spec())
