"""Connect, inspect and disconnect Katana accounts.

The API key is verified against ``GET /factory`` before it is stored, encrypted with the
key ring (aad = connection id) and registered with the log redactor. A webhook is
registered at Katana when the service knows its public URL.
"""

from __future__ import annotations

import logging
import re
import secrets as pysecrets
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from connector_katana.adapters.budget import PRIORITY, key_id_of
from connector_katana.adapters.katana_client import KatanaError, KatanaUnavailable
from connector_katana.adapters.orm import connection, load_job
from connector_katana.handlers.deps import Deps
from connector_katana.handlers.publishing import PRODUCER
from platform_kit.http.problems import Problem
from platform_kit.logging import secrets
from restock_contracts.envelope import derived_event_id
from restock_contracts.sync.v1 import ConnectionEstablished, ConnectionRemoved
from restock_contracts.topics import SYNC

log = logging.getLogger(__name__)
WEBHOOK_EVENTS = [
    "product.created",
    "product.updated",
    "product.deleted",
    "material.created",
    "material.updated",
    "material.deleted",
    "variant.created",
    "variant.updated",
    "variant.deleted",
    "sales_order.created",
    "sales_order.updated",
    "sales_order.deleted",
    "sales_order.delivered",
    "sales_order.packed",
    "purchase_order.created",
    "purchase_order.updated",
    "purchase_order.deleted",
    "purchase_order.received",
    "purchase_order.partially_received",
    "current_inventory.product_updated",
    "current_inventory.material_updated",
]
_TZ = re.compile(r"^[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+)*$")


def public_view(row: Any, base_url: str | None) -> dict[str, Any]:
    """A connection as the API shows it (never the key or the webhook token)."""
    return {
        "connection_id": str(row.connection_id),
        "status": row.status,
        "organisation_name": row.organisation_name,
        "base_currency": row.base_currency,
        "time_zone": row.time_zone,
        "webhook_registered": row.webhook_id is not None,
        "webhook_url": webhook_url(base_url, row.webhook_opaque_id),
        "created_at": row.created_at.isoformat() if row.created_at else None,
        "next_incremental_at": _iso(row.next_incremental_at),
        "next_refresh_at": _iso(row.next_refresh_at),
    }


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def webhook_url(base_url: str | None, opaque_id: str) -> str:
    """The public webhook URL of a connection (relative when the base URL is unknown)."""
    return f"{(base_url or '').rstrip('/')}/webhooks/katana/{opaque_id}"


async def connect(deps: Deps, tenant_id: uuid.UUID, api_key: str) -> dict[str, Any]:
    """Verify the key, store the connection, register the webhook, announce it."""
    secrets.add(api_key)
    base_url = deps.settings.katana_base_url
    client = deps.client_for_key(base_url, api_key, key_id_of(api_key))
    try:
        factory = await client.get_json("/factory", priority=PRIORITY)
    except KatanaError as exc:
        if exc.status in (401, 403):
            raise Problem(422, "API key rejected", "Katana did not accept this API key") from exc
        raise Problem(502, "Katana error", f"Katana answered {exc.status}") from exc
    except KatanaUnavailable as exc:
        raise Problem(503, "Katana unavailable", "Katana did not answer") from exc
    if not isinstance(factory, dict):
        raise Problem(502, "Katana error", "unexpected /factory response")
    currency = str(factory.get("base_currency_code") or factory.get("currency") or "").upper()
    if len(currency) != 3:
        raise Problem(502, "Katana error", "factory has no base currency")
    tz = factory.get("timezone") or factory.get("time_zone")
    tz = tz if isinstance(tz, str) and _TZ.match(tz) else None
    name = str(factory.get("display_name") or factory.get("name") or "Katana")
    connection_id = uuid.uuid4()
    opaque = pysecrets.token_urlsafe(24)
    hook_id, hook_token = await _register_webhook(deps, client, opaque)
    now = deps.clock.now()
    async with deps.uow() as uow:
        active = (
            await uow.session.execute(
                select(connection.c.connection_id).where(
                    connection.c.tenant_id == tenant_id, connection.c.status == "active"
                )
            )
        ).first()
        if active is not None:
            raise Problem(409, "Already connected", "disconnect the current Katana account first")
        await uow.session.execute(
            connection.insert().values(
                connection_id=connection_id,
                tenant_id=tenant_id,
                status="active",
                api_key_enc=deps.keyring.encrypt(api_key, aad=str(connection_id)),
                key_id=key_id_of(api_key),
                base_url=base_url,
                organisation_name=name,
                base_currency=currency,
                time_zone=tz,
                webhook_opaque_id=opaque,
                webhook_id=hook_id,
                webhook_token_enc=(
                    deps.keyring.encrypt(hook_token, aad=f"{connection_id}:webhook")
                    if hook_token
                    else None
                ),
                next_incremental_at=now + timedelta(seconds=deps.settings.incremental_every_s),
                next_refresh_at=None,
                created_at=now,
            )
        )
        payload = ConnectionEstablished(
            connection_id=connection_id,
            source="katana",
            organisation_name=name,
            base_currency=currency,
            time_zone=tz,
            provider_tenant_id=None,
            established_at=now,
        )
        uow.publish(
            SYNC.envelope(
                payload,
                tenant_id=tenant_id,
                producer=PRODUCER,
                event_id=derived_event_id(connection_id, "established"),
            ),
            SYNC.name,
        )
        await uow.commit()
    return await get_connection(deps, tenant_id, connection_id)


async def _register_webhook(deps: Deps, client: Any, opaque: str) -> tuple[str | None, str | None]:
    base = deps.settings.public_base_url
    if not base:
        return None, None
    body = {
        "url": webhook_url(base, opaque),
        "subscribed_events": WEBHOOK_EVENTS,
        "enabled": True,
        "description": "Restock",
    }
    try:
        hook = (await client.request("POST", "/webhooks", body=body, priority=PRIORITY)).json()
    except (KatanaError, KatanaUnavailable) as exc:
        log.warning("webhook registration failed: %s", exc)
        return None, None
    token = hook.get("token") if isinstance(hook, dict) else None
    if not token:
        return None, None
    secrets.add(str(token))
    return str(hook.get("id")), str(token)


async def get_row(deps: Deps, tenant_id: uuid.UUID, connection_id: uuid.UUID) -> Any:
    """The tenant's connection row, or 404."""
    async with deps.db.sessions() as session:
        row = (
            await session.execute(
                select(connection).where(
                    connection.c.tenant_id == tenant_id, connection.c.connection_id == connection_id
                )
            )
        ).first()
    if row is None:
        raise Problem(404, "Not found", "no such connection")
    return row


async def get_connection(
    deps: Deps, tenant_id: uuid.UUID, connection_id: uuid.UUID
) -> dict[str, Any]:
    """The public view of one connection."""
    return public_view(await get_row(deps, tenant_id, connection_id), deps.settings.public_base_url)


async def list_connections(deps: Deps, tenant_id: uuid.UUID) -> list[dict[str, Any]]:
    """The tenant's connections, newest first."""
    async with deps.db.sessions() as session:
        rows = (
            await session.execute(
                select(connection)
                .where(connection.c.tenant_id == tenant_id)
                .order_by(connection.c.created_at.desc())
            )
        ).all()
    return [public_view(r, deps.settings.public_base_url) for r in rows]


async def disconnect(deps: Deps, tenant_id: uuid.UUID, connection_id: uuid.UUID) -> None:
    """Stop syncing: cancel jobs, drop the webhook at Katana, forget the key, announce it."""
    row = await get_row(deps, tenant_id, connection_id)
    if row.status != "active":
        return
    if row.webhook_id:
        try:
            await deps.client(row).request(
                "DELETE", f"/webhooks/{int(row.webhook_id)}", priority=PRIORITY, retry_unknown=False
            )
        except (KatanaError, KatanaUnavailable, ValueError) as exc:
            log.warning("webhook removal failed: %s", exc)
    async with deps.uow() as uow:
        await uow.session.execute(
            update(connection)
            .where(connection.c.connection_id == connection_id)
            .values(
                status="disconnected",
                disconnected_at=deps.clock.now(),
                api_key_enc="",
                webhook_token_enc=None,
            )
        )
        await uow.session.execute(
            update(load_job)
            .where(
                load_job.c.connection_id == connection_id,
                load_job.c.status.in_(["queued", "running"]),
            )
            .values(status="cancelled", finished_at=deps.clock.now())
        )
        payload = ConnectionRemoved(
            connection_id=connection_id, source="katana", reason="user_disconnected"
        )
        uow.publish(
            SYNC.envelope(
                payload,
                tenant_id=tenant_id,
                producer=PRODUCER,
                event_id=derived_event_id(connection_id, "removed"),
            ),
            SYNC.name,
        )
        await uow.commit()
