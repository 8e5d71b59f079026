"""Wiring: the forecaster service spec and its app factory."""

from fastapi import FastAPI

from forecaster.adapters.orm import metadata
from forecaster.api import forecasts, overrides
from forecaster.background import recompute_loop
from forecaster.consumers import subscriptions
from forecaster.settings import Settings
from platform_kit.db.migrations import migrations_path
from platform_kit.service import ServiceSpec, create_app


def build_spec(settings: Settings | None = None) -> ServiceSpec:
    return ServiceSpec(
        name="forecaster",
        settings=settings or Settings(),
        metadata=metadata,
        migrations=migrations_path(__file__),
        routers=(forecasts.router, overrides.router),
        subscriptions=subscriptions,
        background=(recompute_loop,),
        description="Demand history, per-SKU model choice, uncertainty and explanations.",
    )


def create() -> FastAPI:
    """Factory for ``uvicorn --factory forecaster.app:create``."""
    return create_app(build_spec())
