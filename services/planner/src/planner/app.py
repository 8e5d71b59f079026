"""Wiring: the planner service spec and its app factory."""

from fastapi import FastAPI

from planner.adapters.orm import metadata
from planner.api import plan, settings
from planner.background import replan_loop
from planner.consumers import subscriptions
from planner.settings import Settings
from platform_kit.db.migrations import migrations_path
from platform_kit.service import ServiceSpec, create_app


def build_spec(settings_: Settings | None = None) -> ServiceSpec:
    """The planner: consumers, routes and the debounced re-plan task."""
    return ServiceSpec(
        name="planner",
        settings=settings_ or Settings(),
        metadata=metadata,
        migrations=migrations_path(__file__),
        routers=(plan.router, settings.router),
        subscriptions=subscriptions,
        background=(replan_loop,),
        description="Settings, safety stock, reorder points, the order plan and the dashboard.",
    )


def create() -> FastAPI:
    """Factory for ``uvicorn --factory planner.app:create``."""
    return create_app(build_spec())
