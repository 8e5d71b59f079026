"""``connectors.sync.v1``: the first connection fills the tenant's attributes."""

from __future__ import annotations

from typing import Any

from api_gateway.handlers.tenants import fill_from_connection
from platform_kit.db.uow import UnitOfWork
from platform_kit.messaging.consumer import Subscription
from restock_contracts.topics import SYNC


async def on_connection_established(envelope: Any, uow: UnitOfWork) -> None:
    await fill_from_connection(uow, envelope.tenant_id, envelope.payload)


def subscription() -> Subscription:
    return Subscription(SYNC, {"connectors.connection_established": on_connection_established})
