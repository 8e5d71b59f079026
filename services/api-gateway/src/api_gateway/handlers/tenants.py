"""Tenant use cases owned by api-gateway (tenants are minted here, architecture §3)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from api_gateway.adapters import accounts
from api_gateway.adapters.orm import membership
from platform_kit.db.uow import UnitOfWork
from platform_kit.tenancy import purge_tenant
from restock_contracts.tenancy.v1 import TenantCreated, TenantDeleted, TenantUpdated
from restock_contracts.topics import TENANTS

PRODUCER = "api-gateway"
ATTRIBUTES = ("name", "time_zone", "base_currency", "primary_source")


async def create_tenant(
    uow: UnitOfWork,
    *,
    name: str,
    time_zone: str | None = None,
    base_currency: str | None = None,
    primary_source: str | None = None,
    if_missing: bool = False,
    commit: bool = True,
) -> tuple[uuid.UUID, bool]:
    """Mint a tenant and publish ``TenantCreated``; returns (tenant id, created?).

    With ``if_missing`` an active tenant of the same name is returned instead. With
    ``commit=False`` the caller commits (sign-up adds the admin in the same transaction).
    """
    table = uow.db.metadata.tables["tenant"]
    if if_missing:
        existing = await find_active_tenant(uow, name)
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
    if commit:
        await uow.commit()
    return tenant_id, True


async def find_active_tenant(uow: UnitOfWork, name: str) -> uuid.UUID | None:
    """The oldest active tenant called ``name``, if any."""
    table = uow.db.metadata.tables["tenant"]
    stmt = (
        select(table.c.tenant_id)
        .where(table.c.name == name, table.c.status == "active")
        .order_by(table.c.created_at)
        .limit(1)
    )
    found: uuid.UUID | None = (await uow.session.execute(stmt)).scalar_one_or_none()
    return found


async def get_tenant(uow: UnitOfWork, tenant_id: uuid.UUID, *, lock: bool = False) -> Any:
    """The active tenant row, or None."""
    table = uow.db.metadata.tables["tenant"]
    stmt = select(table).where(table.c.tenant_id == tenant_id, table.c.status == "active")
    if lock:
        stmt = stmt.with_for_update()
    return (await uow.session.execute(stmt)).one_or_none()


async def update_tenant(
    uow: UnitOfWork, tenant_id: uuid.UUID, changes: dict[str, Any], *, actor: str
) -> list[str]:
    """Apply attribute changes, publish ``TenantUpdated`` with the full state; commits.

    ``primary_source`` can only be set once. Returns the names that changed.
    """
    row = await get_tenant(uow, tenant_id, lock=True)
    if row is None:
        return []
    state = {name: getattr(row, name) for name in ATTRIBUTES}
    changed = [k for k, v in changes.items() if k in ATTRIBUTES and v != state[k]]
    if state["primary_source"] is not None and "primary_source" in changed:
        changed.remove("primary_source")
    if not changed:
        return []
    state.update({k: changes[k] for k in changed})
    table = uow.db.metadata.tables["tenant"]
    await uow.session.execute(
        update(table).where(table.c.tenant_id == tenant_id).values(**{k: state[k] for k in changed})
    )
    event = TenantUpdated(tenant_id=tenant_id, changed=changed, **state)
    uow.publish(TENANTS.envelope(event, tenant_id=tenant_id, producer=PRODUCER), TENANTS.name)
    await accounts.audit(
        uow.session,
        tenant_id=tenant_id,
        actor=actor,
        action="tenant.updated",
        detail={"changed": changed},
    )
    await uow.commit()
    return changed


async def fill_from_connection(uow: UnitOfWork, tenant_id: uuid.UUID, payload: Any) -> None:
    """``ConnectionEstablished``: fill attributes the tenant does not have yet."""
    row = await get_tenant(uow, tenant_id)
    if row is None:
        return
    proposed = {
        "time_zone": payload.time_zone,
        "base_currency": payload.base_currency,
        "primary_source": payload.source,
    }
    changes = {k: v for k, v in proposed.items() if v is not None and getattr(row, k) is None}
    if changes:
        await _update_in(uow, tenant_id, changes)


async def _update_in(uow: UnitOfWork, tenant_id: uuid.UUID, changes: dict[str, Any]) -> None:
    """Like update_tenant but inside a consumer's unit of work (the loop commits)."""
    row = await get_tenant(uow, tenant_id, lock=True)
    if row is None:
        return
    state = {name: getattr(row, name) for name in ATTRIBUTES}
    state.update(changes)
    table = uow.db.metadata.tables["tenant"]
    await uow.session.execute(update(table).where(table.c.tenant_id == tenant_id).values(**changes))
    event = TenantUpdated(tenant_id=tenant_id, changed=sorted(changes), **state)
    uow.publish(TENANTS.envelope(event, tenant_id=tenant_id, producer=PRODUCER), TENANTS.name)


async def delete_tenant(uow: UnitOfWork, tenant_id: uuid.UUID, *, actor: str) -> dict[str, int]:
    """Purge the tenant's data here, delete users left without a tenant, publish
    ``TenantDeleted`` (every other service purges on it); commits. Returns row counts."""
    user_ids = list(
        (
            await uow.session.execute(
                select(membership.c.user_id).where(membership.c.tenant_id == tenant_id)
            )
        ).scalars()
    )
    counts = await purge_tenant(uow, tenant_id)
    counts["user_account"] = await accounts.delete_orphan_users(uow.session, user_ids)
    event = TenantDeleted(tenant_id=tenant_id)
    uow.publish(TENANTS.envelope(event, tenant_id=tenant_id, producer=PRODUCER), TENANTS.name)
    await accounts.audit(
        uow.session,
        tenant_id=None,
        actor=actor,
        action="tenant.deleted",
        detail={"tenant_id": str(tenant_id), "counts": counts},
    )
    await uow.commit()
    return counts
