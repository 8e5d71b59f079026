"""Katana webhooks: verify, dedupe, coalesce per tenant x entity, re-read only by id.

Receiving stores ``(connection, entity, id)`` rows; a flusher picks groups whose oldest
row waited the coalescing window, re-reads those ids from Katana (through the shared
budget), publishes what changed (mode ``webhook``) and deletes the rows, all in one
transaction.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert

from connector_katana.adapters.katana_client import KatanaClient, KatanaError, KatanaUnavailable
from connector_katana.adapters.orm import connection, webhook_pending, webhook_seen
from connector_katana.domain.normalise import Context
from connector_katana.domain.reads import READS
from connector_katana.domain.webhooks import affected, signature_ok
from connector_katana.handlers.deps import Deps
from connector_katana.handlers.publishing import Target, apply_records, publish_deletions
from connector_katana.handlers.rows import PageResult, normalise_page
from platform_kit.http.problems import Problem

log = logging.getLogger(__name__)
CHUNK = 100


async def receive(deps: Deps, opaque_id: str, body: bytes, signature: str | None) -> dict[str, Any]:
    """Accept one delivery: 404 unknown URL, 401 bad signature, else queue (deduped)."""
    async with deps.db.sessions() as session:
        conn = (
            await session.execute(
                select(connection).where(
                    connection.c.webhook_opaque_id == opaque_id, connection.c.status == "active"
                )
            )
        ).first()
    if conn is None or not conn.webhook_token_enc:
        raise Problem(404, "Not found")
    token = deps.keyring.decrypt(conn.webhook_token_enc, aad=f"{conn.connection_id}:webhook")
    if not signature_ok(token, body, signature):
        raise Problem(401, "Invalid signature", "x-sha2-signature does not match")
    try:
        event = json.loads(body)
    except ValueError as exc:
        raise Problem(400, "Bad request", "body is not JSON") from exc
    target = affected(event)
    async with deps.uow() as uow:
        fresh = (
            await uow.session.execute(
                pg_insert(webhook_seen)
                .values(
                    connection_id=conn.connection_id,
                    body_hash=hashlib.sha256(body).hexdigest(),
                    tenant_id=conn.tenant_id,
                )
                .on_conflict_do_nothing()
                .returning(webhook_seen.c.body_hash)
            )
        ).first()
        if fresh is not None and target is not None:
            await uow.session.execute(
                pg_insert(webhook_pending)
                .values(
                    connection_id=conn.connection_id,
                    entity=target[0],
                    provider_id=target[1],
                    tenant_id=conn.tenant_id,
                    received_at=deps.clock.now(),
                )
                .on_conflict_do_nothing()
            )
        await uow.commit()
    return {
        "status": "queued"
        if fresh is not None and target
        else ("duplicate" if fresh is None else "ignored")
    }


async def flush_due(deps: Deps) -> int:
    """Process every (connection, entity) group whose window has passed; returns groups."""
    cutoff = deps.clock.now() - timedelta(seconds=deps.settings.webhook_coalesce_s)
    async with deps.db.sessions() as session:
        groups = (
            await session.execute(
                select(webhook_pending.c.connection_id, webhook_pending.c.entity)
                .group_by(webhook_pending.c.connection_id, webhook_pending.c.entity)
                .having(text("min(received_at) <= :cutoff")),
                {"cutoff": cutoff},
            )
        ).all()
    done = 0
    for group in groups:
        try:
            done += await flush_group(deps, group.connection_id, group.entity)
        except (KatanaError, KatanaUnavailable) as exc:
            log.warning("webhook re-read failed (%s); will retry", exc)
    return done


async def flush_group(deps: Deps, connection_id: uuid.UUID, entity: str) -> int:
    """Re-read the queued ids of one group and publish the changes."""
    async with deps.uow() as uow:
        ids = (
            (
                await uow.session.execute(
                    select(webhook_pending.c.provider_id)
                    .where(
                        webhook_pending.c.connection_id == connection_id,
                        webhook_pending.c.entity == entity,
                    )
                    .with_for_update(skip_locked=True)
                )
            )
            .scalars()
            .all()
        )
        conn = (
            await uow.session.execute(
                select(connection).where(connection.c.connection_id == connection_id)
            )
        ).first()
        if not ids or conn is None:
            return 0
        if conn.status == "active":
            client = deps.client(conn)
            target = Target(conn.tenant_id, connection_id, None, "webhook", uuid.uuid4())
            await _reread(deps, uow, client, conn, target, entity, sorted(ids))
        await uow.session.execute(
            webhook_pending.delete().where(
                webhook_pending.c.connection_id == connection_id,
                webhook_pending.c.entity == entity,
                webhook_pending.c.provider_id.in_(list(ids)),
            )
        )
        await uow.commit()
    return 1


async def _reread(
    deps: Deps,
    uow: Any,
    client: KatanaClient,
    conn: Any,
    target: Target,
    entity: str,
    ids: list[str],
) -> None:
    ctx = Context(conn.base_currency, None)
    if entity == "purchase_order_rows":
        parents = set()
        for row_id in ids:
            try:
                row = await client.get_json(f"/purchase_order_rows/{int(row_id)}")
            except KatanaError as exc:
                if exc.status != 404:
                    raise
                continue
            if isinstance(row, dict) and str(row.get("purchase_order_id", "")).isdigit():
                parents.add(str(row["purchase_order_id"]))
        entity, ids = "purchase_orders", sorted(parents)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        out = await fetch_by_ids(client, entity, chunk, ctx, deps.clock.now())
        read = "stock" if entity == "stock" else entity
        stream = READS[read].stream
        missing = set(chunk) - out.parents if READS[read].parented else set()
        await apply_records(
            uow, target, stream, out.items, f"{entity}:{start}", out.parents | missing
        )
        await publish_deletions(uow, target, stream, out.deleted_keys)


async def fetch_by_ids(
    client: KatanaClient, entity: str, ids: list[str], ctx: Context, as_of: Any
) -> PageResult:
    """Read records by id (soft-deleted ones too); variants bring their whole parent."""
    if entity == "stock":
        page = await client.list_page("/inventory", {"variant_id": ids}, 1, 250)
        rows = [r for r in page.rows if str(r.get("variant_id")) in set(ids)]
        return normalise_page("stock", rows, {}, ctx=ctx, as_of=as_of, page=1)
    params = {"ids": ids, "include_deleted": "true"}
    page = await client.list_page(f"/{entity}", params, 1, 250)
    out = normalise_page(entity, page.rows, params, ctx=ctx, as_of=as_of, page=1)
    if entity == "variants":
        await variant_parents(client, out, ctx, as_of)
    return out


async def variant_parents(client: KatanaClient, out: PageResult, ctx: Context, as_of: Any) -> None:
    """Read the products/materials of changed variants so each SKU is normalised whole."""
    for kind, wanted in out.parent_ids.items():
        ordered = sorted(wanted)
        for start in range(0, len(ordered), CHUNK):
            chunk = ordered[start : start + CHUNK]
            params = {"ids": chunk, "include_deleted": "true"}
            page = await client.list_page(f"/{kind}", params, 1, 250)
            more = normalise_page(kind, page.rows, params, ctx=ctx, as_of=as_of, page=1)
            out.items += more.items
            out.parents |= more.parents
            out.skipped += more.skipped
