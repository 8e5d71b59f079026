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

    def observe(uow: UnitOfWork, source: str, outcome: str, latency: float | None) -> None:
        """After commit: count the result; a result that ended the send observes its latency."""

        def record() -> None:
            metrics.submissions.labels(source, outcome).inc()
            if latency is not None:
                metrics.latency.labels(source).observe(latency)

        uow.after_commit.append(record)

    async def submitted(env: Any, uow: UnitOfWork) -> None:
        latency = await sending.apply_submitted(
            uow, clock, env.tenant_id, env.event_id, env.payload
        )
        observe(uow, env.payload.source, "succeeded", latency)

    async def failed(env: Any, uow: UnitOfWork) -> None:
        latency = await sending.apply_failed(uow, clock, env.tenant_id, env.event_id, env.payload)
        observe(uow, env.payload.source, "failed", latency)

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
