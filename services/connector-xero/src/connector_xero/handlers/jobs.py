"""Load jobs: enqueue, claim with a lease, run entity by entity with progress, resume.

Modes: ``full`` (first load) and ``refresh`` read everything (wire mode ``refresh``);
``incremental`` sends ``If-Modified-Since`` = watermark - overlap and upserts by id.
Items are always read whole (one unpaged call) so hard-deleted items are found by diffing
against the snapshot in every mode. Each page is published, its progress saved and the
lease renewed in ONE transaction, so a job whose worker died resumes (after its lease
expires) at the next page with the same batch numbering. A spent daily budget parks the
job as ``waiting`` until the budget frees up; a revoked grant fails it with ``auth``.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import literal, select, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert

from connector_xero.adapters.orm import connection, load_job, watermark
from connector_xero.adapters.xero_api import OrgRef
from connector_xero.domain.errors import (
    DayLimitReached,
    NeedsReauthorisation,
    ProviderRejected,
    ProviderUnavailable,
    RateLimited,
)
from connector_xero.domain.msdates import since_header
from connector_xero.domain.normalise import OrgFacts, location
from connector_xero.handlers import reads
from connector_xero.handlers.deps import Deps
from connector_xero.handlers.publishing import PRODUCER, complete, publish_changed
from platform_kit.clock import real_now
from platform_kit.db.uow import UnitOfWork
from restock_contracts.sync.v1 import StreamCount, SyncFinished, SyncIssue, SyncStarted
from restock_contracts.topics import SYNC

ENTITIES = ("items", "contacts", "invoices", "credit_notes", "purchase_orders")
STREAMS = ["locations", "skus", "stock_levels", "suppliers", "sales_lines", "purchase_order_lines"]
PAGED = {
    "contacts": ("Contacts", "Contacts", reads.on_contacts),
    "invoices": ("Invoices", "Invoices", reads.on_invoices),
    "credit_notes": ("CreditNotes", "CreditNotes", reads.on_credit_notes),
    "purchase_orders": ("PurchaseOrders", "PurchaseOrders", reads.on_purchase_orders),
}


class JobCancelled(Exception):
    """The job was cancelled, or this runner lost its lease: stop without writing."""


async def _heartbeat(deps: Deps, job: Any) -> None:
    """Keep the lease while a slow page is being fetched or processed."""
    while True:
        await asyncio.sleep(deps.settings.job_lease_s / 3)
        async with deps.uow() as uow:
            await uow.session.execute(
                update(load_job)
                .where(load_job.c.job_id == job.job_id, load_job.c.lease_owner == job.lease_owner)
                .values(lease_until=real_now() + timedelta(seconds=deps.settings.job_lease_s))
            )
            await uow.commit()


async def _save(uow: UnitOfWork, deps: Deps, job: Any, progress: dict[str, Any]) -> None:
    """Progress + lease renewal, only while this runner still owns the job's lease."""
    saved = await uow.session.execute(
        update(load_job)
        .where(
            load_job.c.job_id == job.job_id,
            load_job.c.status == "running",
            load_job.c.lease_owner == job.lease_owner,
        )
        .values(
            progress=progress,
            lease_until=real_now() + timedelta(seconds=deps.settings.job_lease_s),
        )
        .returning(load_job.c.job_id)
    )
    if saved.one_or_none() is None:
        raise JobCancelled(str(job.job_id))


async def run(deps: Deps, job: Any) -> str:
    """Run (or resume) a claimed job to its end; returns the final status."""
    async with deps.db.sessions() as session:
        conn = (
            await session.execute(
                select(connection).where(connection.c.connection_id == job.connection_id)
            )
        ).one_or_none()
    if conn is None:
        return await _finish(deps, job, None, "failed", [_issue("connection_missing", "gone")])
    if job.attempts > deps.settings.job_max_attempts + 3:
        return await _finish(deps, job, None, "failed", [_issue("crashed", "too many attempts")])
    progress: dict[str, Any] = dict(job.progress or {})
    wire_mode = "incremental" if job.mode == "incremental" else "refresh"
    sync = reads.new_sync_ctx(job.tenant_id, job.connection_id, job.job_id, wire_mode)
    sync.counters = progress.setdefault("counters", {})
    now = deps.clock.now()
    facts = OrgFacts(
        location_id=conn.xero_tenant_id,
        base_currency=conn.base_currency,
        time_zone=conn.time_zone,
        today=deps.clock.today(conn.time_zone or "UTC"),
        as_of=now,
    )
    ctx = reads.ReadCtx(sync, facts, now - timedelta(days=deps.settings.history_days))
    org = OrgRef(conn.grant_id, conn.xero_tenant_id)
    heartbeat = asyncio.create_task(_heartbeat(deps, job))
    try:
        return await _run(deps, job, conn, progress, sync, ctx, org, facts, wire_mode)
    except JobCancelled:
        async with deps.db.sessions() as session:
            status = (
                await session.execute(
                    select(load_job.c.status).where(load_job.c.job_id == job.job_id)
                )
            ).scalar_one()
        if status == "cancelled":
            return await _finish(deps, job, sync, "cancelled", [_issue("cancelled", "by request")])
        return "lease_lost"
    finally:
        heartbeat.cancel()


async def _run(
    deps: Deps,
    job: Any,
    conn: Any,
    progress: dict[str, Any],
    sync: Any,
    ctx: reads.ReadCtx,
    org: OrgRef,
    facts: OrgFacts,
    wire_mode: str,
) -> str:
    """The body of :func:`run` (errors mapped to job states)."""
    now = facts.as_of
    try:
        if conn.status != "active":
            raise NeedsReauthorisation(conn.status_reason or conn.status)
        if not progress.get("started"):
            async with deps.uow() as uow:
                event = SyncStarted(
                    source="xero",
                    connection_id=job.connection_id,
                    sync_id=job.job_id,
                    mode=wire_mode,
                    streams=STREAMS,
                    started_at=now,
                )
                uow.publish(
                    SYNC.envelope(event, tenant_id=job.tenant_id, producer=PRODUCER), SYNC.name
                )
                await publish_changed(
                    uow, sync, "locations", [location(facts, conn.organisation_name)]
                )
                progress["started"] = now.isoformat()
                await _save(uow, deps, job, progress)
                await uow.commit()
        async with deps.uow() as uow:
            await reads.load_lookups(uow, ctx)
        entities = progress.setdefault("entities", {})
        for entity in ENTITIES:
            if entities.get(entity, {}).get("state") == "done":
                continue
            if entity == "items":
                await _items(deps, job, ctx, org, progress)
            else:
                await _paged(deps, job, ctx, org, progress, entity, wire_mode)
        async with deps.uow() as uow:
            await reads.publish_suppliers(uow, ctx, diff=wire_mode == "refresh")
            complete(uow, sync, STREAMS)
            await _finish_in(uow, job, sync, "succeeded", progress.get("warnings", []), deps)
            await uow.commit()
        return "succeeded"
    except DayLimitReached as exc:
        return await _park(deps, job, progress, exc.until, "waiting")
    except NeedsReauthorisation as exc:
        return await _finish(deps, job, sync, "failed", [_issue("auth", str(exc))])
    except (ProviderUnavailable, RateLimited) as exc:
        if job.attempts >= deps.settings.job_max_attempts:
            return await _finish(deps, job, sync, "failed", [_issue("provider", str(exc), True)])
        delay = timedelta(seconds=deps.settings.job_retry_backoff_s * job.attempts)
        return await _park(deps, job, progress, real_now() + delay)
    except ProviderRejected as exc:
        return await _finish(deps, job, sync, "failed", [_issue("rejected", str(exc.body)[:500])])


async def _items(deps: Deps, job: Any, ctx: reads.ReadCtx, org: OrgRef, progress: Any) -> None:
    body = await deps.api.get(org, "Items", {"unitdp": 4})
    async with deps.uow() as uow:
        blocked = await reads.on_items(
            uow, ctx, body.get("Items") or [], deps.settings.deletion_max_fraction
        )
        if blocked:
            progress.setdefault("warnings", []).append(_issue("deletions_blocked", blocked))
        progress["entities"]["items"] = {"state": "done", "records": len(body.get("Items") or [])}
        await _save(uow, deps, job, progress)
        await uow.commit()


async def _paged(
    deps: Deps,
    job: Any,
    ctx: reads.ReadCtx,
    org: OrgRef,
    progress: Any,
    entity: str,
    wire_mode: str,
) -> None:
    path, collection, handler = PAGED[entity]
    state = progress["entities"].setdefault(entity, {"state": "running", "page": 0, "records": 0})
    if "since" not in state:
        state["since"] = await _since(deps, job.connection_id, entity, wire_mode)
    size = deps.settings.page_size
    window = ctx.window_start.date()
    params: dict[str, Any] = {"pageSize": size, "order": "UpdatedDateUTC ASC", "unitdp": 4}
    if entity == "contacts":
        params["includeArchived"] = "true"
    elif entity == "invoices":
        params["where"] = f"Date >= DateTime({window.year}, {window.month:02d}, {window.day:02d})"
    elif entity == "purchase_orders":
        params["DateFrom"] = window.isoformat()
    ctx.max_updated = None
    ahead: dict[int, asyncio.Task[dict[str, Any]]] = {}
    last_page: int | None = None

    def fetch(number: int) -> asyncio.Task[dict[str, Any]]:
        if number not in ahead:
            call = deps.api.get(org, path, {**params, "page": number}, state["since"])
            ahead[number] = asyncio.ensure_future(call)
        return ahead[number]

    try:
        while True:
            page = state["page"] + 1
            if last_page is not None:
                for extra in range(
                    page + 1, min(page + deps.settings.prefetch_pages, last_page) + 1
                ):
                    fetch(extra)
            body = await fetch(page)
            ahead.pop(page, None)
            docs = body.get(collection) or []
            pagination = body.get("pagination") or {}
            last_page = int(pagination.get("pageCount") or page)
            done = len(docs) < size or page >= last_page
            async with deps.uow() as uow:
                await handler(uow, ctx, docs)
                state.update(page=page, records=state["records"] + len(docs))
                if ctx.max_updated:
                    newest = max(ctx.max_updated.isoformat(), state.get("max_updated") or "")
                    state["max_updated"] = newest
                if done:
                    state["state"] = "done"
                    if state.get("max_updated"):
                        await _set_watermark(uow, job, entity, state["max_updated"])
                await _save(uow, deps, job, progress)
                await uow.commit()
            if done:
                return
    finally:
        for task in ahead.values():
            task.cancel()
        await asyncio.gather(*ahead.values(), return_exceptions=True)


async def _since(deps: Deps, connection_id: uuid.UUID, entity: str, mode: str) -> str | None:
    if mode != "incremental":
        return None
    async with deps.db.sessions() as session:
        mark = (
            await session.execute(
                select(watermark.c.updated_at).where(
                    watermark.c.connection_id == connection_id, watermark.c.entity == entity
                )
            )
        ).scalar_one_or_none()
    return since_header(mark, timedelta(seconds=deps.settings.overlap_s)) if mark else None


async def _set_watermark(uow: UnitOfWork, job: Any, entity: str, value: str) -> None:
    from datetime import datetime

    stmt = pg_insert(watermark).values(
        connection_id=job.connection_id,
        entity=entity,
        tenant_id=job.tenant_id,
        updated_at=datetime.fromisoformat(value),
    )
    await uow.session.execute(
        stmt.on_conflict_do_update(
            index_elements=["connection_id", "entity"],
            set_={"updated_at": stmt.excluded.updated_at},
            where=watermark.c.updated_at < stmt.excluded.updated_at,
        )
    )


def _issue(code: str, message: str, retryable: bool = False) -> dict[str, Any]:
    return {"code": code, "message": message, "retryable": retryable}


async def _park(deps: Deps, job: Any, progress: Any, until: Any, status: str = "queued") -> str:
    async with deps.uow() as uow:
        await uow.session.execute(
            update(load_job)
            .where(load_job.c.job_id == job.job_id)
            .values(status=status, not_before=until, lease_owner=None, progress=progress)
        )
        await uow.commit()
    return status


async def _finish(
    deps: Deps, job: Any, sync: Any, status: str, errors: list[dict[str, Any]]
) -> str:
    async with deps.uow() as uow:
        await _finish_in(uow, job, sync, status, errors, deps)
        await uow.commit()
    return status


async def _finish_in(
    uow: UnitOfWork, job: Any, sync: Any, status: str, errors: list[dict[str, Any]], deps: Deps
) -> None:
    now = deps.clock.now()
    final: dict[str, Any] = {}
    if sync is not None:  # the last streams' counters (suppliers) for the metrics
        final["progress"] = load_job.c.progress.op("||")(
            literal({"counters": sync.counters}, JSONB)
        )
    await uow.session.execute(
        update(load_job)
        .where(load_job.c.job_id == job.job_id)
        .values(status=status, errors=errors, finished_at=now, lease_owner=None, **final)
    )
    if sync is None:
        return
    event = SyncFinished(
        source="xero",
        connection_id=job.connection_id,
        sync_id=job.job_id,
        mode=sync.mode,
        outcome=status,
        started_at=job.started_at or now,
        finished_at=now,
        streams=[
            StreamCount(
                stream=s,
                batch_count=c.get("batches", 0),
                record_count=c.get("records", 0),
                deleted_count=c.get("deleted", 0),
            )
            for s, c in sorted(sync.counters.items())
        ],
        errors=[SyncIssue(**e) for e in errors if e.get("code") != "deletions_blocked"],
    )
    uow.publish(SYNC.envelope(event, tenant_id=job.tenant_id, producer=PRODUCER), SYNC.name)
