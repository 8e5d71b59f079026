"""Run one load job page by page; each page commits its events and progress together.

Resume: a job whose runner died keeps its progress; the next runner to lease it continues
after the last completed page with the same pinned filters, so event ids (derived from
connection, job, stream and page) repeat and the outbox/inboxes drop duplicates.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from connector_katana.adapters.katana_client import KatanaClient, KatanaError, KatanaUnavailable
from connector_katana.adapters.orm import connection, load_job, po_submission
from connector_katana.adapters.repository import load_watermark, save_progress, save_watermark
from connector_katana.domain.normalise import Context
from connector_katana.domain.reads import (
    HISTORY_FIELD,
    READS,
    past_history,
    query_params,
    reads_for,
    sent,
    streams_of,
)
from connector_katana.handlers.deps import Deps
from connector_katana.handlers.publishing import (
    PRODUCER,
    Target,
    apply_records,
    complete_stream,
    publish_deletions,
    unseen_keys,
)
from connector_katana.handlers.rows import PageResult, normalise_page
from connector_katana.handlers.webhooks import variant_parents
from platform_kit.messaging.sync import plan_deletions
from restock_contracts.envelope import derived_event_id
from restock_contracts.sync.v1 import StreamCount, SyncFinished, SyncIssue, SyncStarted
from restock_contracts.topics import SYNC

log = logging.getLogger(__name__)
FULL_READ_STREAMS = {"locations", "stock_levels"}


class LeaseLost(Exception):
    """Another runner took the job over."""


class Stopping(Exception):
    """The runtime is shutting down; the job keeps its progress and is resumed later."""


class FatalJobError(Exception):
    """The job cannot continue (e.g. the API key was revoked)."""


class JobRun:
    """State of one job while a runner holds its lease."""

    def __init__(self, deps: Deps, job: Any, conn: Any) -> None:
        self.deps = deps
        self.job = job
        self.conn = conn
        self.client: KatanaClient = deps.client(conn)
        self.progress: dict[str, Any] = dict(job.progress)
        self.progress.setdefault("reads", {})
        self.progress.setdefault("streams", {})
        self.errors: list[dict[str, Any]] = list(job.errors)
        self.target = Target(
            job.tenant_id,
            conn.connection_id,
            job.job_id,
            job.mode,
            job.job_id,
            self.progress.setdefault("counters", {}),
        )
        self.reads = reads_for(list(job.entities), job.mode)
        self.restock_orders: dict[str, Any] = {}
        self.started_at: Any = job.started_at
        self.pinned_max: Any = job.pinned_max

    @property
    def ctx(self) -> Context:
        raw = self.progress.get("ctx") or {}
        return Context(
            raw.get("base_currency") or self.conn.base_currency,
            raw.get("default_purchase_location"),
        )

    async def start(self) -> None:
        """Pin the job to its start instant and announce the sync."""
        try:
            factory = await self.client.get_json("/factory")
        except KatanaError as exc:
            if exc.status in (401, 403):
                raise FatalJobError(f"Katana refused the API key ({exc.status})") from exc
            raise
        purchase_loc = (
            factory.get("default_purchases_location_id") if isinstance(factory, dict) else None
        )
        self.progress["ctx"] = {
            "base_currency": self.conn.base_currency,
            "default_purchase_location": str(purchase_loc) if purchase_loc else None,
        }
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            await uow.session.execute(
                update(load_job)
                .where(load_job.c.job_id == self.job.job_id)
                .values(status="running", started_at=now, pinned_max=now, progress=self.progress)
            )
            payload = SyncStarted(
                source="katana",
                connection_id=self.conn.connection_id,
                sync_id=self.job.job_id,
                mode=self.job.mode,
                streams=streams_of(self.reads),
                started_at=now,
            )
            uow.publish(
                SYNC.envelope(
                    payload,
                    tenant_id=self.job.tenant_id,
                    producer=PRODUCER,
                    event_id=derived_event_id(self.conn.connection_id, self.job.job_id, "started"),
                ),
                SYNC.name,
            )
            await uow.commit()
        self.started_at = now
        self.pinned_max = now

    async def run(self) -> None:
        """All reads, stream completions, and the finish."""
        if self.job.status == "queued":
            await self.start()
        else:
            self.started_at = self.job.started_at
            self.pinned_max = self.job.pinned_max
        async with self.deps.db.sessions() as session:
            rows = await session.execute(
                select(po_submission.c.order_no, po_submission.c.submission_id).where(
                    po_submission.c.connection_id == self.conn.connection_id
                )
            )
            self.restock_orders = {r.order_no: r.submission_id for r in rows}
        gate = asyncio.Semaphore(self.deps.settings.read_concurrency)
        async with asyncio.TaskGroup() as group:
            for stream in streams_of(self.reads):
                group.create_task(self.run_stream(stream, gate))
        await self.finish()

    async def run_stream(self, stream: str, gate: asyncio.Semaphore) -> None:
        """The reads of one stream in order, then its completion (streams run concurrently)."""
        async with gate:
            for name in [r for r in self.reads if READS[r].stream == stream]:
                state = self.progress["reads"].setdefault(name, {})
                if not state.get("done"):
                    await self.read(name, state)
            if not self.progress["streams"].get(stream, {}).get("completed"):
                await self.finish_stream(stream)

    async def read(self, name: str, state: dict[str, Any]) -> None:
        """Page through one list from the page after the last completed one."""
        read = READS[name]
        if "params" not in state:
            state["params"] = query_params(
                read,
                mode=self.job.mode,
                watermark=await load_watermark(self.deps.db, self.conn.connection_id, name),
                pinned_max=self.pinned_max,
                overlap=timedelta(seconds=self.deps.settings.overlap_s),
                history_start=self.history_start(),
            )
        params: dict[str, Any] = state["params"]
        page = int(state.get("page", 0)) + 1
        while True:
            if self.deps.stop.is_set():
                raise Stopping(str(self.job.job_id))
            try:
                result = await self.client.list_page(
                    read.path, sent(params), page, self.deps.settings.page_limit
                )
            except KatanaError as exc:
                if exc.status in (401, 403):
                    raise FatalJobError(f"Katana refused the API key ({exc.status})") from exc
                await self._read_failed(name, state, page, f"katana_{exc.status}", str(exc))
                return
            except KatanaUnavailable as exc:
                await self._read_failed(name, state, page, "provider_unavailable", str(exc))
                return
            out = normalise_page(
                name,
                result.rows,
                params,
                ctx=self.ctx,
                as_of=self.deps.clock.now(),
                page=page,
                restock_orders=self.restock_orders,
            )
            if name == "variants":
                await variant_parents(self.client, out, self.ctx, self.deps.clock.now())
            first_total = state.get("total_records")
            if first_total is None or page == 1:
                state["total_records"] = result.total_records
            elif result.total_records is not None and result.total_records < first_total:
                state["incomplete"] = "list shrank while paging (records moved between pages)"
            state.update(
                page=page,
                total_pages=result.total_pages,
                records=state.get("records", 0) + len(out.items),
                skipped=state.get("skipped", 0) + len(out.skipped),
            )
            done = result.last_page or not result.rows or past_history(result.rows, params)
            if out.max_updated is not None:
                prev = state.get("max_updated")
                if prev is None or out.max_updated.isoformat() > prev:
                    state["max_updated"] = out.max_updated.isoformat()
            if done:
                state["done"] = True
            await self._commit_page(name, state, page, out)
            if done:
                return
            page += 1

    async def _commit_page(
        self, name: str, state: dict[str, Any], page: int, out: PageResult
    ) -> None:
        stream = READS[name].stream
        async with self.deps.uow() as uow:
            published = await apply_records(
                uow, self.target, stream, out.items, f"{name}:{page}", out.parents
            )
            published += await publish_deletions(uow, self.target, stream, out.deleted_keys)
            state["published"] = state.get("published", 0) + published
            if (
                state.get("done")
                and not state.get("incomplete")
                and READS[name].incremental
                and state.get("max_updated")
            ):
                await save_watermark(
                    uow,
                    self.conn.connection_id,
                    self.job.tenant_id,
                    name,
                    datetime.fromisoformat(state["max_updated"]),
                )
            await self._save(uow, out.skipped, read=name)
            await uow.commit()

    async def _read_failed(
        self, name: str, state: dict[str, Any], page: int, code: str, message: str
    ) -> None:
        state.update(done=True, incomplete=f"page {page}: {message}"[:300])
        self.errors.append(
            {
                "stream": READS[name].stream,
                "code": code,
                "message": f"{name} page {page}: {message}"[:500],
                "retryable": True,
            }
        )
        async with self.deps.uow() as uow:
            await self._save(uow, [], read=name)
            await uow.commit()

    async def finish_stream(self, stream: str) -> None:
        """Deletions (complete reads only; kit ``plan_deletions``) and the completion marker."""
        reads = [r for r in self.reads if READS[r].stream == stream]
        complete = all(not self.progress["reads"][r].get("incomplete") for r in reads)
        async with self.deps.uow() as uow:
            if self.job.mode == "refresh" or stream in FULL_READ_STREAMS:
                history = HISTORY_FIELD.get(stream)
                live, unseen = await unseen_keys(
                    uow,
                    self.conn.connection_id,
                    stream,
                    self.job.job_id,
                    self.history_start() if history else None,
                    history,
                )
                plan = plan_deletions(
                    live,
                    set(live) - set(unseen),
                    read_complete=complete,
                    max_fraction=self.deps.settings.max_deletion_fraction,
                )
                if plan.blocked_reason and unseen:
                    self.errors.append(
                        {
                            "stream": stream,
                            "code": "deletions_blocked",
                            "message": plan.blocked_reason,
                            "retryable": False,
                        }
                    )
                await publish_deletions(uow, self.target, stream, sorted(plan.to_delete))
            complete_stream(uow, self.target, stream)
            self.progress["streams"][stream] = {
                **self.target.counter(stream),
                "completed": True,
                "complete_read": complete,
            }
            await self._save(uow, [], stream=stream)
            await uow.commit()

    async def finish(self) -> None:
        """Close the job and publish the sync outcome."""
        now = self.deps.clock.now()
        incomplete = any(s.get("incomplete") for s in self.progress["reads"].values())
        outcome = "partial" if incomplete or self.errors else "succeeded"
        await self._close(outcome, now)

    async def fail(self, message: str) -> None:
        """Close the job as failed."""
        now = self.deps.clock.now()
        self.started_at = self.started_at or now
        self.pinned_max = self.pinned_max or now
        self.errors.append({"stream": None, "code": "auth", "message": message, "retryable": False})
        await self._close("failed", now)

    async def _close(self, outcome: str, now: Any) -> None:
        async with self.deps.uow() as uow:
            await uow.session.execute(
                update(load_job)
                .where(load_job.c.job_id == self.job.job_id)
                .values(
                    status=outcome,
                    finished_at=now,
                    lease_until=None,
                    progress=self.progress,
                    errors=self.errors,
                )
            )
            counts = [
                StreamCount(
                    stream=s,
                    batch_count=c["batches"],
                    record_count=c["records"],
                    deleted_count=c["deleted"],
                )
                for s, c in self.target.counters.items()
            ]
            payload = SyncFinished(
                source="katana",
                connection_id=self.conn.connection_id,
                sync_id=self.job.job_id,
                mode=self.job.mode,
                outcome=outcome,
                started_at=self.started_at,
                finished_at=now,
                streams=counts,
                errors=[SyncIssue(**e) for e in self.errors[:50]],
            )
            uow.publish(
                SYNC.envelope(
                    payload,
                    tenant_id=self.job.tenant_id,
                    producer=PRODUCER,
                    event_id=derived_event_id(self.conn.connection_id, self.job.job_id, "finished"),
                ),
                SYNC.name,
            )
            await uow.commit()

    def history_start(self) -> Any:
        """Oldest order / movement date loads read (configurable, default 3 years)."""
        return self.pinned_max - timedelta(days=365.25 * self.deps.settings.history_years)

    async def _save(
        self,
        uow: Any,
        skipped: list[dict[str, Any]],
        read: str | None = None,
        stream: str | None = None,
    ) -> None:
        """Persist progress and renew the lease; ``LeaseLost`` if another runner owns the job.

        Streams run concurrently, so a page writes only its own read's state and its own
        stream's counters: another stream's not-yet-committed page never reaches the
        database through this transaction.
        """
        parts: list[tuple[tuple[str, ...], Any]] = []
        if read is not None:
            stream = stream or READS[read].stream
            parts.append((("reads", read), self.progress["reads"][read]))
        if stream is not None:
            parts.append((("counters", stream), self.target.counter(stream)))
            if stream in self.progress["streams"]:
                parts.append((("streams", stream), self.progress["streams"][stream]))
        saved = await save_progress(
            uow,
            job_id=self.job.job_id,
            owner=self.deps.owner,
            lease_s=self.deps.settings.job_lease_s,
            parts=parts,
            full=None if parts else self.progress,
            errors=self.errors,
            skipped=skipped,
        )
        if not saved:
            raise LeaseLost(str(self.job.job_id))


async def run_job(deps: Deps, job_id: uuid.UUID) -> None:
    """Run (or resume) a leased job to its end."""
    async with deps.db.sessions() as session:
        job = (await session.execute(select(load_job).where(load_job.c.job_id == job_id))).first()
        if job is None or job.status not in ("queued", "running"):
            return
        conn = (
            await session.execute(
                select(connection).where(connection.c.connection_id == job.connection_id)
            )
        ).first()
    if conn is None or conn.status != "active":
        async with deps.uow() as uow:
            await uow.session.execute(
                update(load_job)
                .where(load_job.c.job_id == job_id)
                .values(status="cancelled", finished_at=deps.clock.now())
            )
            await uow.commit()
        return
    run = JobRun(deps, job, conn)
    try:
        await run.run()
    except* FatalJobError as group:
        await run.fail(str(group.exceptions[0]))
    except* Stopping:
        log.info("job %s paused for shutdown; it resumes from its last page", job_id)
    except* LeaseLost:
        log.warning("lost the lease on job %s; another runner continues it", job_id)
