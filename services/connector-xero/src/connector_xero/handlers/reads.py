"""Reading one entity page and publishing what changed (shared by loads and webhooks).

Each ``on_*`` function handles one batch of Xero documents inside the caller's unit of
work: it normalises them, publishes changed records, deletes lines that vanished from
documents read in full, and remembers which contacts act as suppliers.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert

from connector_xero.adapters.orm import contact, po_submission, snapshot
from connector_xero.domain import normalise as n
from connector_xero.domain.msdates import parse_date, parse_instant
from connector_xero.handlers.publishing import (
    SyncCtx,
    delete_missing_children,
    first_child_field,
    live_keys,
    publish_changed,
    publish_deletions,
)
from platform_kit.db.uow import UnitOfWork


@dataclass
class ReadCtx:
    """A sync's publishing context plus organisation facts and lookups."""

    sync: SyncCtx
    facts: n.OrgFacts
    window_start: datetime
    items_by_code: dict[str, str] = field(default_factory=dict)
    submissions: dict[str, Any] = field(default_factory=dict)
    max_updated: datetime | None = None

    def saw(self, raw: dict[str, Any]) -> None:
        """Track the newest UpdatedDateUTC (the entity's next watermark)."""
        updated = parse_instant(raw.get("UpdatedDateUTC"))
        if updated and (self.max_updated is None or updated > self.max_updated):
            self.max_updated = updated


async def load_lookups(uow: UnitOfWork, ctx: ReadCtx) -> None:
    """Item codes -> ItemIDs and Restock-created PO ids -> submission ids."""
    rows = await uow.session.execute(
        select(snapshot.c.provider_id, snapshot.c.record["sku"].astext).where(
            snapshot.c.connection_id == ctx.sync.connection_id,
            snapshot.c.stream == "skus",
            snapshot.c.deleted.is_(False),
        )
    )
    ctx.items_by_code = {code: pid for pid, code in rows.all() if code}
    subs = await uow.session.execute(
        select(po_submission.c.provider_po_id, po_submission.c.submission_id).where(
            po_submission.c.connection_id == ctx.sync.connection_id,
            po_submission.c.provider_po_id.is_not(None),
        )
    )
    ctx.submissions = dict(subs.all())


async def on_items(
    uow: UnitOfWork, ctx: ReadCtx, items: list[dict[str, Any]], max_fraction: float
) -> str | None:
    """The full item list: publish changes and diff hard-deleted items against the snapshot.

    Returns why deletions were refused (a suspicious mass deletion), if they were.
    """
    from platform_kit.messaging.sync import plan_deletions

    rows = [row for raw in items for row in n.item(raw, ctx.facts)]
    skus = [r for r in rows if r.record.__class__.__name__ == "SkuRecord"]
    levels = [r for r in rows if r.record.__class__.__name__ == "StockLevelRecord"]
    ctx.items_by_code = {
        str(raw.get("Code")): str(raw["ItemID"]) for raw in items if raw.get("Code")
    }
    await publish_changed(uow, ctx.sync, "skus", skus)
    await publish_changed(uow, ctx.sync, "stock_levels", levels, force=ctx.sync.mode == "refresh")
    plan = plan_deletions(
        await live_keys(uow, ctx.sync.connection_id, "skus"),
        {r.provider_id for r in skus},
        read_complete=True,
        max_fraction=max_fraction,
    )
    await publish_deletions(uow, ctx.sync, "skus", plan.to_delete)
    await publish_deletions(uow, ctx.sync, "stock_levels", plan.to_delete)
    return plan.blocked_reason


async def _upsert_contacts(uow: UnitOfWork, ctx: ReadCtx, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    values = [
        {**row, "connection_id": ctx.sync.connection_id, "tenant_id": ctx.sync.tenant_id}
        for row in {r["contact_id"]: r for r in rows}.values()
    ]
    stmt = pg_insert(contact)
    update_cols = {
        k: stmt.excluded[k] for k in values[0] if k not in {"connection_id", "contact_id"}
    }
    await uow.session.execute(
        stmt.on_conflict_do_update(
            index_elements=["connection_id", "contact_id"], set_=update_cols
        ),
        values,
    )


async def _reference(uow: UnitOfWork, ctx: ReadCtx, contact_ids: set[str]) -> None:
    if not contact_ids:
        return
    stmt = pg_insert(contact)
    await uow.session.execute(
        stmt.on_conflict_do_update(
            index_elements=["connection_id", "contact_id"], set_={"referenced": True}
        ),
        [
            {
                "connection_id": ctx.sync.connection_id,
                "contact_id": cid,
                "tenant_id": ctx.sync.tenant_id,
                "referenced": True,
            }
            for cid in sorted(contact_ids)
        ],
    )


async def on_contacts(uow: UnitOfWork, ctx: ReadCtx, docs: list[dict[str, Any]]) -> None:
    """Remember contacts (suppliers are decided at the end of the sync)."""
    for raw in docs:
        ctx.saw(raw)
    await _upsert_contacts(uow, ctx, [n.contact_fields(raw) for raw in docs])


async def on_invoices(uow: UnitOfWork, ctx: ReadCtx, docs: list[dict[str, Any]]) -> None:
    """ACCREC -> sales lines (every status); ACCPAY bills mark their contact a supplier."""
    rows, parents, suppliers = [], set(), set()
    for raw in docs:
        ctx.saw(raw)
        if raw.get("Type") == "ACCPAY":
            cid = (raw.get("Contact") or {}).get("ContactID")
            if cid:
                suppliers.add(str(cid))
        elif raw.get("Type") == "ACCREC":
            parents.add(str(raw["InvoiceID"]))
            rows.extend(n.invoice_lines(raw, ctx.facts, ctx.items_by_code))
    await _reference(uow, ctx, suppliers)
    await publish_changed(uow, ctx.sync, "sales_lines", rows)
    await delete_missing_children(
        uow, ctx.sync, "sales_lines", parents, {r.provider_id for r in rows}
    )


async def on_credit_notes(uow: UnitOfWork, ctx: ReadCtx, docs: list[dict[str, Any]]) -> None:
    """ACCRECCREDIT -> return lines on the original sale's date (when allocated)."""
    rows, parents = [], set()
    for raw in docs:
        ctx.saw(raw)
        day = parse_date(raw.get("Date"))
        if raw.get("Type") != "ACCRECCREDIT" or (day and day < ctx.window_start.date()):
            continue
        original = None
        invoice_id = n.allocated_invoice_id(raw)
        if invoice_id:
            text = await first_child_field(
                uow, ctx.sync.connection_id, "sales_lines", invoice_id, "order_date"
            )
            original = datetime.fromisoformat(text) if text else None
        parents.add(str(raw["CreditNoteID"]))
        rows.extend(n.credit_note_lines(raw, ctx.facts, ctx.items_by_code, original))
    await publish_changed(uow, ctx.sync, "sales_lines", rows)
    await delete_missing_children(
        uow, ctx.sync, "sales_lines", parents, {r.provider_id for r in rows}
    )


async def on_purchase_orders(uow: UnitOfWork, ctx: ReadCtx, docs: list[dict[str, Any]]) -> None:
    """Every PO status; the supplier of each PO counts as a supplier."""
    rows, parents, suppliers = [], set(), set()
    for raw in docs:
        ctx.saw(raw)
        parents.add(str(raw["PurchaseOrderID"]))
        cid = (raw.get("Contact") or {}).get("ContactID")
        if cid:
            suppliers.add(str(cid))
        rows.extend(n.purchase_order_lines(raw, ctx.facts, ctx.items_by_code, ctx.submissions))
    await _reference(uow, ctx, suppliers)
    await publish_changed(uow, ctx.sync, "purchase_order_lines", rows)
    await delete_missing_children(
        uow, ctx.sync, "purchase_order_lines", parents, {r.provider_id for r in rows}
    )


async def publish_suppliers(
    uow: UnitOfWork, ctx: ReadCtx, only: set[str] | None = None, diff: bool = False
) -> None:
    """Contacts flagged as suppliers or referenced by POs/bills -> supplier records.

    With ``diff`` (refresh), suppliers no longer qualifying are published as deleted.
    """
    stmt = select(contact).where(
        contact.c.connection_id == ctx.sync.connection_id,
        contact.c.name.is_not(None),
        contact.c.is_supplier | contact.c.referenced,
    )
    if only is not None:
        stmt = stmt.where(contact.c.contact_id.in_(sorted(only)))
    rows = [n.supplier(dict(r._mapping)) for r in (await uow.session.execute(stmt)).all()]
    await publish_changed(uow, ctx.sync, "suppliers", rows)
    if diff:
        gone = await live_keys(uow, ctx.sync.connection_id, "suppliers") - {
            r.provider_id for r in rows
        }
        await publish_deletions(uow, ctx.sync, "suppliers", gone)


def new_sync_ctx(
    tenant_id: uuid.UUID, connection_id: uuid.UUID, sync_id: uuid.UUID | None, mode: str
) -> SyncCtx:
    """A publishing context (counters start empty)."""
    return SyncCtx(tenant_id, connection_id, sync_id, mode)
