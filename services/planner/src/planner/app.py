"""Wiring: the planner service spec and its app factory."""

from fastapi import FastAPI

from planner.adapters.orm import metadata
from planner.settings import Settings
from platform_kit.db.migrations import migrations_path
from platform_kit.service import ServiceSpec, create_app


def build_spec(settings: Settings | None = None) -> ServiceSpec:
    return ServiceSpec(
        name="planner",
        settings=settings or Settings(),
        metadata=metadata,
        migrations=migrations_path(__file__),
        description="Settings, safety stock, reorder points, the order plan and the dashboard.",
    )


def create() -> FastAPI:
    """Factory for ``uvicorn --factory planner.app:create``."""
    return create_app(build_spec())
