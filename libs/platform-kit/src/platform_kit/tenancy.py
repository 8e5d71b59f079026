"""Tenant provisioning and purge, the same in every service (architecture §3).

Each service keeps a ``tenant`` row per tenant from ``tenancy.tenants.v1``. Deletion purges
every row of every table that has a ``tenant_id`` column (except the inbox, which must
keep deduplicating, and the outbox) and leaves a tombstone, so late events for a deleted
tenant are ignored rather than resurrecting it.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, DateTime, MetaData, String, Table, delete, func, select
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.dialects.postgresql import insert as pg_insert

from platform_kit.db.uow import UnitOfWork
from platform_kit.messaging.consumer import Handler

_KEEP = {"tenant", "inbox", "outbox"}


def add_tenant_table(metadata: MetaData) -> Table:
    return Table(
        "tenant",
        metadata,
        Column("tenant_id", UUID(as_uuid=True), primary_key=True),
        Column("name", String(200), nullable=False),
        Column("time_zone", String(64), nullable=True),
        Column("base_currency", String(3), nullable=True),
        Column("primary_source", String(20), nullable=True),
        Column("status", String(20), nullable=False, server_default="active"),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )


async def upsert_tenant(uow: UnitOfWork, state: Any) -> bool:
    """Provision or refresh a tenant; False if it was deleted (tombstone wins)."""
    table = uow.db.metadata.tables["tenant"]
    values = {
        "tenant_id": state.tenant_id,
        "name": state.name,
        "time_zone": state.time_zone,
        "base_currency": state.base_currency,
        "primary_source": state.primary_source,
        "updated_at": datetime.now(UTC),
    }
    stmt = pg_insert(table).values(**values)
    stmt = stmt.on_conflict_do_update(
        index_elements=["tenant_id"],
        set_={k: stmt.excluded[k] for k in values if k != "tenant_id"},
        where=table.c.status == "active",
    )
    result = await uow.session.execute(stmt)
    return bool(getattr(result, "rowcount", 1))


async def purge_tenant(uow: UnitOfWork, tenant_id: uuid.UUID) -> dict[str, int]:
    """Delete all of a tenant's rows in this service; leave a tombstone. Returns counts."""
    counts: dict[str, int] = {}
    for table in reversed(uow.db.metadata.sorted_tables):
        if table.name in _KEEP or "tenant_id" not in table.c:
            continue
        result = await uow.session.execute(delete(table).where(table.c.tenant_id == tenant_id))
        counts[table.name] = int(getattr(result, "rowcount", 0) or 0)
    tenant = uow.db.metadata.tables["tenant"]
    await uow.session.execute(
        pg_insert(tenant)
        .values(tenant_id=tenant_id, name="(deleted)", status="deleted")
        .on_conflict_do_update(
            index_elements=["tenant_id"],
            set_={"status": "deleted", "updated_at": datetime.now(UTC)},
        )
    )
    return counts


async def is_active(uow: UnitOfWork, tenant_id: uuid.UUID) -> bool:
    tenant = uow.db.metadata.tables["tenant"]
    status = (
        await uow.session.execute(select(tenant.c.status).where(tenant.c.tenant_id == tenant_id))
    ).scalar_one_or_none()
    return status == "active"


def tenant_handlers() -> dict[str, Handler]:
    """Handlers for ``tenancy.tenants.v1`` that every service subscribes with."""

    async def on_state(envelope: Any, uow: UnitOfWork) -> None:
        await upsert_tenant(uow, envelope.payload)

    async def on_deleted(envelope: Any, uow: UnitOfWork) -> None:
        await purge_tenant(uow, envelope.payload.tenant_id)

    return {
        "tenancy.tenant_created": on_state,
        "tenancy.tenant_updated": on_state,
        "tenancy.tenant_deleted": on_deleted,
    }
