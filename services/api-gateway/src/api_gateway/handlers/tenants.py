"""Tenant use cases owned by api-gateway (tenants are minted here, architecture §3)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert

from platform_kit.db.uow import UnitOfWork
from restock_contracts.tenancy.v1 import TenantCreated
from restock_contracts.topics import TENANTS

PRODUCER = "api-gateway"


async def create_tenant(
    uow: UnitOfWork,
    *,
    name: str,
    time_zone: str | None = None,
    base_currency: str | None = None,
    primary_source: str | None = None,
    if_missing: bool = False,
) -> tuple[uuid.UUID, bool]:
    """Mint a tenant and publish ``TenantCreated``; returns (tenant id, created?).

    With ``if_missing`` an active tenant of the same name is returned instead.
    """
    table = uow.db.metadata.tables["tenant"]
    if if_missing:
        existing = (
            await uow.session.execute(
                select(table.c.tenant_id).where(table.c.name == name, table.c.status == "active")
            )
        ).scalar_one_or_none()
        if existing is not None:
            return existing, False
    tenant_id = uuid.uuid4()
    event = TenantCreated(
        tenant_id=tenant_id,
        name=name,
        time_zone=time_zone,
        base_currency=base_currency,
        primary_source=primary_source,
    )
    await uow.session.execute(
        pg_insert(table).values(
            tenant_id=tenant_id,
            name=name,
            time_zone=time_zone,
            base_currency=base_currency,
            primary_source=primary_source,
        )
    )
    uow.publish(TENANTS.envelope(event, tenant_id=tenant_id, producer=PRODUCER), TENANTS.name)
    await uow.commit()
    return tenant_id, True
