"""Kafka subscriptions: thin adapters from envelopes to the ingest use cases."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from forecaster.handlers import ingest
from platform_kit.db.uow import UnitOfWork
from platform_kit.messaging.consumer import Subscription
from platform_kit.service import Runtime
from restock_contracts.topics import (
    LOCATIONS,
    SALES_LINES,
    SETTINGS,
    SKUS,
    STOCK_LEVELS,
    STOCK_MOVEMENTS,
    TENANTS,
)

UseCase = Callable[[UnitOfWork, Any, Any], Awaitable[None]]
STREAM_COMPLETED = "connectors.stream_completed"


def _payload(use_case: UseCase) -> Callable[[Any, UnitOfWork], Awaitable[None]]:
    async def handle(envelope: Any, uow: UnitOfWork) -> None:
        await use_case(uow, envelope.tenant_id, envelope.payload)

    handle.__name__ = use_case.__name__
    return handle


def subscriptions(runtime: Runtime) -> Sequence[Subscription]:
    """What the forecaster consumes (the kit adds tenant purge on ``tenancy.tenants.v1``)."""
    completed = _payload(ingest.complete_stream)
    tenant_state = _payload(ingest.apply_tenant_state)
    return [
        Subscription(
            TENANTS,
            {"tenancy.tenant_created": tenant_state, "tenancy.tenant_updated": tenant_state},
        ),
        Subscription(
            SALES_LINES,
            {
                "sales.lines_changed": _payload(ingest.apply_sales_lines),
                STREAM_COMPLETED: completed,
            },
        ),
        Subscription(
            STOCK_MOVEMENTS,
            {
                "inventory.stock_movements_changed": _payload(ingest.apply_movements),
                STREAM_COMPLETED: completed,
            },
        ),
        Subscription(
            STOCK_LEVELS,
            {
                "inventory.stock_levels_changed": _payload(ingest.apply_stock_levels),
                STREAM_COMPLETED: completed,
            },
        ),
        Subscription(
            SKUS, {"catalog.skus_changed": _payload(ingest.apply_skus), STREAM_COMPLETED: completed}
        ),
        Subscription(
            LOCATIONS,
            {
                "catalog.locations_changed": _payload(ingest.apply_locations),
                STREAM_COMPLETED: completed,
            },
        ),
        Subscription(
            SETTINGS,
            {"planning.effective_settings_changed": _payload(ingest.apply_effective_settings)},
        ),
    ]
