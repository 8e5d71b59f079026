"""Connecting organisations: authorize, callback, organisation choice, disconnect.

The OAuth ``state`` is stored server-side (hashed) with the tenant, the user, the PKCE
verifier (encrypted) and an expiry; the callback accepts it once. One grant (one consent
by one user) can cover many organisations; each organisation the user picks becomes a
connection. Disconnecting deletes that connection at Xero and revokes the grant only
when its last connection goes.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from connector_xero.adapters.identity import new_pkce_verifier, new_state
from connector_xero.adapters.orm import connection, grant, grant_org, load_job, oauth_state
from connector_xero.adapters.xero_api import OrgRef
from connector_xero.domain.errors import StateInvalid
from connector_xero.domain.oauth import state_hash, token_claims
from connector_xero.domain.schedule import next_refresh
from connector_xero.domain.values import iana_zone
from connector_xero.handlers.deps import Deps
from connector_xero.handlers.publishing import PRODUCER
from platform_kit.clock import real_now
from restock_contracts.sync.v1 import ConnectionEstablished, ConnectionRemoved
from restock_contracts.topics import SYNC

log = logging.getLogger(__name__)


async def start_authorization(deps: Deps, tenant_id: uuid.UUID, user_id: str) -> dict[str, Any]:
    """Store a fresh state + PKCE verifier and return the consent URL."""
    state, verifier = new_state(), new_pkce_verifier()
    hashed = state_hash(state)
    expires = real_now() + timedelta(seconds=deps.settings.state_ttl_s)
    async with deps.uow() as uow:
        await uow.session.execute(
            oauth_state.insert().values(
                state_hash=hashed,
                tenant_id=tenant_id,
                user_id=user_id,
                verifier_enc=deps.keyring.encrypt(verifier, f"xero-state:{hashed}"),
                expires_at=expires,
            )
        )
        await uow.commit()
    return {"authorize_url": deps.identity.authorize_url(state, verifier), "expires_at": expires}


async def complete_authorization(deps: Deps, state: str, code: str) -> dict[str, Any]:
    """Callback: consume the state, exchange the code, record the grant and its orgs."""
    hashed = state_hash(state)
    async with deps.uow() as uow:
        row = (
            await uow.session.execute(
                update(oauth_state)
                .where(
                    oauth_state.c.state_hash == hashed,
                    oauth_state.c.used_at.is_(None),
                    oauth_state.c.expires_at > real_now(),
                )
                .values(used_at=real_now())
                .returning(oauth_state)
            )
        ).one_or_none()
        if row is None:
            raise StateInvalid("unknown, used or expired state")
        await uow.commit()
    verifier = deps.keyring.decrypt(row.verifier_enc, f"xero-state:{hashed}")
    token = await deps.identity.exchange_code(code, verifier)
    claims = token_claims(token["access_token"])
    auth_event = claims.get("authentication_event_id")
    orgs = await deps.identity.connections(token["access_token"], auth_event)
    grant_id = uuid.uuid4()
    async with deps.uow() as uow:
        await uow.session.execute(
            grant.insert().values(
                grant_id=grant_id,
                tenant_id=row.tenant_id,
                user_id=row.user_id,
                xero_user_id=claims.get("xero_userid"),
                auth_event_id=auth_event,
                scopes=token.get("scope", ""),
                **deps.tokens.encrypted(grant_id, token),
            )
        )
        for org in orgs:
            await uow.session.execute(
                grant_org.insert().values(
                    grant_id=grant_id,
                    xero_tenant_id=org["tenantId"],
                    tenant_id=row.tenant_id,
                    tenant_name=org.get("tenantName") or org["tenantId"],
                    tenant_type=org.get("tenantType") or "ORGANISATION",
                    xero_connection_id=org["id"],
                )
            )
        await uow.commit()
    return {"tenant_id": row.tenant_id, "grant_id": grant_id, "organisations": orgs}


async def grant_organisations(
    deps: Deps, tenant_id: uuid.UUID, grant_id: uuid.UUID
) -> list[dict[str, Any]] | None:
    """Organisations a grant covers (the choice offered after consent)."""
    async with deps.db.sessions() as session:
        rows = (
            await session.execute(
                select(grant_org).where(
                    grant_org.c.grant_id == grant_id, grant_org.c.tenant_id == tenant_id
                )
            )
        ).all()
    if not rows:
        return None
    return [
        {"xero_tenant_id": r.xero_tenant_id, "name": r.tenant_name, "type": r.tenant_type}
        for r in rows
    ]


async def choose_organisation(
    deps: Deps, tenant_id: uuid.UUID, grant_id: uuid.UUID, xero_tenant_id: str
) -> uuid.UUID | None:
    """Make a connection for one organisation of the grant; publish "connection established".

    Returns None when the grant does not cover that organisation for this tenant.
    Re-authorising an organisation that is already connected moves it to the new grant.
    """
    async with deps.db.sessions() as session:
        org = (
            await session.execute(
                select(grant_org).where(
                    grant_org.c.grant_id == grant_id,
                    grant_org.c.xero_tenant_id == xero_tenant_id,
                    grant_org.c.tenant_id == tenant_id,
                )
            )
        ).one_or_none()
    if org is None:
        return None
    body = await deps.api.get(OrgRef(grant_id, xero_tenant_id), "Organisation")
    info = (body.get("Organisations") or [{}])[0]
    zone = iana_zone(info.get("Timezone"))
    currency = info.get("BaseCurrency") or "USD"
    now = deps.clock.now()
    async with deps.uow() as uow:
        stmt = pg_insert(connection).values(
            connection_id=uuid.uuid4(),
            tenant_id=tenant_id,
            grant_id=grant_id,
            xero_tenant_id=xero_tenant_id,
            xero_connection_id=org.xero_connection_id,
            organisation_name=info.get("Name") or org.tenant_name,
            base_currency=currency,
            time_zone=zone,
            next_incremental_at=now + timedelta(seconds=deps.settings.incremental_every_s),
            next_refresh_at=next_refresh(now, zone, deps.settings.refresh_hour_local),
        )
        row = (
            await uow.session.execute(
                stmt.on_conflict_do_update(
                    index_elements=["xero_tenant_id"],
                    set_={
                        "grant_id": grant_id,
                        "xero_connection_id": org.xero_connection_id,
                        "status": "active",
                        "status_reason": None,
                    },
                    where=connection.c.tenant_id == tenant_id,
                ).returning(connection.c.connection_id)
            )
        ).one_or_none()
        if row is None:
            return None
        event = ConnectionEstablished(
            connection_id=row.connection_id,
            source="xero",
            organisation_name=info.get("Name") or org.tenant_name,
            base_currency=currency,
            time_zone=zone,
            provider_tenant_id=xero_tenant_id,
            established_at=now,
        )
        uow.publish(SYNC.envelope(event, tenant_id=tenant_id, producer=PRODUCER), SYNC.name)
        await uow.commit()
    return uuid.UUID(str(row.connection_id))


async def disconnect(deps: Deps, tenant_id: uuid.UUID, connection_id: uuid.UUID) -> bool:
    """Delete one connection (at Xero too); revoke the grant when it was the last one."""
    async with deps.db.sessions() as session:
        conn = (
            await session.execute(
                select(connection).where(
                    connection.c.connection_id == connection_id,
                    connection.c.tenant_id == tenant_id,
                )
            )
        ).one_or_none()
        if conn is None:
            return False
        others = (
            await session.execute(
                select(func.count())
                .select_from(connection)
                .where(
                    connection.c.grant_id == conn.grant_id,
                    connection.c.connection_id != connection_id,
                )
            )
        ).scalar_one()
    try:
        if others:
            token = await deps.tokens.access_token(conn.grant_id)
            await deps.identity.delete_connection(token, conn.xero_connection_id)
        else:
            refresh = await deps.tokens.refresh_token_of(conn.grant_id)
            if refresh:
                await deps.identity.revoke(refresh)
    except Exception as exc:  # a dead grant must not block the user's disconnect
        log.warning("disconnect: Xero call failed (%s); removing locally", type(exc).__name__)
    async with deps.uow() as uow:
        await uow.session.execute(
            delete(load_job).where(
                load_job.c.connection_id == connection_id,
                load_job.c.status.in_(["queued", "waiting"]),
            )
        )
        await uow.session.execute(
            delete(connection).where(connection.c.connection_id == connection_id)
        )
        if not others:
            await uow.session.execute(
                delete(grant_org).where(grant_org.c.grant_id == conn.grant_id)
            )
            await uow.session.execute(delete(grant).where(grant.c.grant_id == conn.grant_id))
        event = ConnectionRemoved(
            connection_id=connection_id, source="xero", reason="user_disconnected"
        )
        uow.publish(SYNC.envelope(event, tenant_id=tenant_id, producer=PRODUCER), SYNC.name)
        await uow.commit()
    return True


async def list_connections(
    deps: Deps, tenant_id: uuid.UUID, connection_id: uuid.UUID | None = None
) -> list[dict[str, Any]]:
    """The tenant's connections with their status (``needs_reauthorisation`` shows here)."""
    stmt = select(connection).where(connection.c.tenant_id == tenant_id)
    if connection_id is not None:
        stmt = stmt.where(connection.c.connection_id == connection_id)
    async with deps.db.sessions() as session:
        rows = (await session.execute(stmt.order_by(connection.c.created_at))).all()
    return [
        {
            "connection_id": r.connection_id,
            "grant_id": r.grant_id,
            "xero_tenant_id": r.xero_tenant_id,
            "organisation_name": r.organisation_name,
            "base_currency": r.base_currency,
            "time_zone": r.time_zone,
            "status": r.status,
            "status_reason": r.status_reason,
            "next_incremental_at": r.next_incremental_at,
            "next_refresh_at": r.next_refresh_at,
        }
        for r in rows
    ]
