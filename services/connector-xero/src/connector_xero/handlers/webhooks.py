"""Xero webhooks: one app-level endpoint, events routed by tenantId, coalesced re-reads.

Receiving only checks the signature and records ``(connection, category, resource id)``
rows (duplicates collapse), so Xero gets its answer well within 5 seconds. A worker
drains a connection's rows once the oldest is ``webhook_coalesce_s`` old and re-reads
just those records (``IDs=`` batches of 50; credit notes one by one), publishing with
mode ``webhook``. URLs are built from ids only.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert

from connector_xero.adapters.orm import connection, webhook_pending
from connector_xero.adapters.xero_api import OrgRef, path_id
from connector_xero.domain.errors import ProviderRejected
from connector_xero.domain.normalise import OrgFacts
from connector_xero.domain.webhooks import parse_events, signature_ok
from connector_xero.handlers import reads
from connector_xero.handlers.deps import Deps

ID_CHUNK = 50


async def receive(deps: Deps, body: bytes, signature: str | None) -> bool:
    """Verify and enqueue; False means "answer 401"."""
    if not signature_ok(deps.settings.webhook_key, body, signature):
        return False
    events = parse_events(body)
    if not events:
        return True
    async with deps.uow() as uow:
        conns = {
            r.xero_tenant_id: r
            for r in (
                await uow.session.execute(
                    select(connection).where(
                        connection.c.xero_tenant_id.in_({e.xero_tenant_id for e in events})
                    )
                )
            ).all()
        }
        rows = [
            {
                "connection_id": conns[e.xero_tenant_id].connection_id,
                "tenant_id": conns[e.xero_tenant_id].tenant_id,
                "category": e.category,
                "resource_id": e.resource_id,
            }
            for e in events
            if e.xero_tenant_id in conns
        ]
        if rows:
            await uow.session.execute(pg_insert(webhook_pending).on_conflict_do_nothing(), rows)
        await uow.commit()
    return True


async def due_connections(deps: Deps) -> list[uuid.UUID]:
    """Connections whose oldest pending webhook row has waited the coalescing window."""
    async with deps.db.sessions() as session:
        rows = await session.execute(
            text(
                "select connection_id from webhook_pending group by connection_id"
                " having min(received_at) <= now() - make_interval(secs => :w)"
            ),
            {"w": deps.settings.webhook_coalesce_s},
        )
        return [r[0] for r in rows.all()]


async def drain(deps: Deps, connection_id: uuid.UUID) -> int:
    """Re-read the affected records of one connection and publish what changed."""
    async with deps.db.sessions() as session:
        conn = (
            await session.execute(
                select(connection).where(connection.c.connection_id == connection_id)
            )
        ).one()
        pending = (
            await session.execute(
                select(webhook_pending).where(webhook_pending.c.connection_id == connection_id)
            )
        ).all()
    if conn.status != "active":
        async with deps.uow() as uow:
            await uow.session.execute(
                delete(webhook_pending).where(webhook_pending.c.connection_id == connection_id)
            )
            await uow.commit()
        return 0
    org = OrgRef(conn.grant_id, conn.xero_tenant_id)
    ids: dict[str, list[str]] = {}
    for row in pending:
        ids.setdefault(row.category, []).append(row.resource_id)
    invoices = await _by_ids(deps, org, "Invoices", ids.get("INVOICE", []), {"page": 1})
    contacts = await _by_ids(
        deps, org, "Contacts", ids.get("CONTACT", []), {"includeArchived": "true"}
    )
    notes: list[dict[str, Any]] = []
    for note_id in ids.get("CREDITNOTE", []):
        try:
            body = await deps.api.get(org, f"CreditNotes/{path_id(note_id)}")
        except ProviderRejected as exc:
            if exc.status != 404:
                raise
            continue
        notes.extend(body.get("CreditNotes") or [])
    now = deps.clock.now()
    sync = reads.new_sync_ctx(conn.tenant_id, connection_id, None, "webhook")
    facts = OrgFacts(
        conn.xero_tenant_id,
        conn.base_currency,
        conn.time_zone,
        deps.clock.today(conn.time_zone or "UTC"),
        now,
    )
    ctx = reads.ReadCtx(sync, facts, now - timedelta(days=deps.settings.history_days))
    affected = set(ids.get("CONTACT", [])) | {
        str((d.get("Contact") or {}).get("ContactID")) for d in invoices
    }
    async with deps.uow() as uow:
        await reads.load_lookups(uow, ctx)
        await reads.on_contacts(uow, ctx, contacts)
        await reads.on_invoices(uow, ctx, invoices)
        await reads.on_credit_notes(uow, ctx, notes)
        await reads.publish_suppliers(uow, ctx, only=affected)
        await uow.session.execute(
            delete(webhook_pending).where(
                webhook_pending.c.connection_id == connection_id,
                webhook_pending.c.received_at <= max(r.received_at for r in pending),
                webhook_pending.c.resource_id.in_([r.resource_id for r in pending]),
            )
        )
        await uow.commit()
    return len(pending)


async def _by_ids(
    deps: Deps, org: OrgRef, path: str, ids: list[str], extra: dict[str, Any]
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for start in range(0, len(ids), ID_CHUNK):
        chunk = ids[start : start + ID_CHUNK]
        body = await deps.api.get(org, path, {"IDs": ",".join(chunk), **extra})
        out.extend(body.get(path) or [])
    return out
