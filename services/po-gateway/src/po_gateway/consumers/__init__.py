"""Subscriptions: PO submission results, connections and provider POs (FX rates)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from platform_kit.db.uow import UnitOfWork
from platform_kit.messaging.consumer import Subscription
from platform_kit.service import Runtime
from platform_kit.service_metrics import PoMetrics
from po_gateway.handlers import ingest, sending
from restock_contracts.topics import PO_SUBMISSION_RESULTS, PURCHASE_ORDERS, SYNC


def subscriptions(runtime: Runtime) -> Sequence[Subscription]:
    """Thin adapters from envelopes to the same handlers the API uses."""
    clock = runtime.clock
    metrics = runtime.metrics.family(PoMetrics)

    async def submitted(env: Any, uow: UnitOfWork) -> None:
        await sending.apply_submitted(uow, clock, env.tenant_id, env.event_id, env.payload)
        uow.after_commit.append(
            lambda: metrics.submissions.labels(env.payload.source, "succeeded").inc()
        )

    async def failed(env: Any, uow: UnitOfWork) -> None:
        await sending.apply_failed(uow, clock, env.tenant_id, env.event_id, env.payload)
        uow.after_commit.append(
            lambda: metrics.submissions.labels(env.payload.source, "failed").inc()
        )

    async def established(env: Any, uow: UnitOfWork) -> None:
        await ingest.connection_established(uow, env.tenant_id, env.payload, env.occurred_at)

    async def removed(env: Any, uow: UnitOfWork) -> None:
        await ingest.connection_removed(uow, env.tenant_id, env.payload, env.occurred_at)

    async def po_lines(envelopes: list[Any], uow: UnitOfWork) -> None:
        await ingest.fx_from_purchase_orders(uow, envelopes)

    return [
        Subscription(
            PO_SUBMISSION_RESULTS,
            handlers={"po.submitted": submitted, "po.submission_failed": failed},
        ),
        Subscription(
            SYNC,
            handlers={
                "connectors.connection_established": established,
                "connectors.connection_removed": removed,
            },
        ),
        Subscription(
            PURCHASE_ORDERS,
            batch_handlers={"purchasing.purchase_order_lines_changed": po_lines},
        ),
    ]
