"""What po-gateway learns from other services' events: connections and FX rates."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from platform_kit.db.uow import UnitOfWork
from po_gateway.adapters import repo
from restock_contracts.sync.v1 import ConnectionEstablished, ConnectionRemoved


async def connection_established(
    uow: UnitOfWork, tenant_id: uuid.UUID, payload: ConnectionEstablished, at: datetime
) -> None:
    """Remember (or re-activate) the tenant's provider connection."""
    await repo.upsert_connection(
        uow.session,
        {
            "connection_id": payload.connection_id,
            "tenant_id": tenant_id,
            "source": payload.source,
            "organisation_name": payload.organisation_name,
            "active": True,
            "updated_at": payload.established_at or at,
        },
    )


async def connection_removed(
    uow: UnitOfWork, tenant_id: uuid.UUID, payload: ConnectionRemoved, at: datetime
) -> None:
    """Stop sending through a removed connection."""
    await repo.upsert_connection(
        uow.session,
        {
            "connection_id": payload.connection_id,
            "tenant_id": tenant_id,
            "source": payload.source,
            "active": False,
            "updated_at": at,
        },
    )


async def fx_from_purchase_orders(uow: UnitOfWork, envelopes: Sequence[Any]) -> None:
    """Keep the latest FX rate per currency seen on provider purchase orders (§4)."""
    latest: dict[tuple[uuid.UUID, str], dict[str, Any]] = {}
    for env in envelopes:
        for record in env.payload.records:
            if record.deleted:
                continue
            seen = record.order_date or record.updated_at or datetime.now(UTC)
            key = (env.tenant_id, record.currency)
            if key not in latest or latest[key]["seen_at"] < seen:
                latest[key] = {
                    "tenant_id": env.tenant_id,
                    "currency": record.currency,
                    "rate_to_base": record.fx_rate_to_base,
                    "seen_at": seen,
                }
    await repo.upsert_fx(uow.session, list(latest.values()))
