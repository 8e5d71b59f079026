"""Kafka subscriptions: thin adapters from envelopes to the ingest use cases."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import Any

from planner.handlers import ingest
from platform_kit.db.uow import UnitOfWork
from platform_kit.messaging.consumer import Subscription
from platform_kit.service import Runtime
from restock_contracts.topics import (
    BOM,
    FORECASTS,
    LOCATIONS,
    PO_SUBMISSION_REQUESTS,
    PO_SUBMISSION_RESULTS,
    PURCHASE_ORDERS,
    SKUS,
    STOCK_LEVELS,
    SUPPLIERS,
    TENANTS,
)

UseCase = Callable[[UnitOfWork, Any, Any], Awaitable[None]]
Handler = Callable[[Any, UnitOfWork], Awaitable[None]]
COMPLETED = "connectors.stream_completed"


def _payload(use_case: UseCase) -> Handler:
    async def handle(envelope: Any, uow: UnitOfWork) -> None:
        await use_case(uow, envelope.tenant_id, envelope.payload)

    return handle


def _stream(topic: Any, event_type: str, stream: str) -> Subscription:
    records = _payload(partial(_records, stream))
    return Subscription(topic, {event_type: records, COMPLETED: _payload(ingest.complete_stream)})


async def _records(stream: str, uow: UnitOfWork, tenant_id: Any, payload: Any) -> None:
    await ingest.apply_records(uow, stream, tenant_id, payload)


def subscriptions(runtime: Runtime) -> Sequence[Subscription]:
    """What the planner consumes (the kit adds tenant purge on ``tenancy.tenants.v1``)."""
    tenant = _payload(ingest.apply_tenant)
    return [
        Subscription(TENANTS, {"tenancy.tenant_created": tenant, "tenancy.tenant_updated": tenant}),
        _stream(SKUS, "catalog.skus_changed", "skus"),
        _stream(SUPPLIERS, "catalog.suppliers_changed", "suppliers"),
        _stream(LOCATIONS, "catalog.locations_changed", "locations"),
        _stream(BOM, "catalog.bom_rows_changed", "bom_rows"),
        _stream(STOCK_LEVELS, "inventory.stock_levels_changed", "stock_levels"),
        _stream(PURCHASE_ORDERS, "purchasing.purchase_order_lines_changed", "purchase_order_lines"),
        Subscription(
            FORECASTS, {"forecasting.forecasts_published": _payload(ingest.apply_forecasts)}
        ),
        Subscription(
            PO_SUBMISSION_REQUESTS,
            {"po.submission_requested": _payload(ingest.apply_submission_request)},
        ),
        Subscription(PO_SUBMISSION_RESULTS, {"po.submitted": _payload(ingest.apply_submitted)}),
    ]
