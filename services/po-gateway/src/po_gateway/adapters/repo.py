"""Reads and writes of po-gateway's tables (no commits: the unit of work commits)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from po_gateway.adapters.orm import (
    fx_rate,
    metadata,
    po_attempt,
    po_audit,
    po_connection,
    po_draft,
    po_line,
)
from po_gateway.domain.states import OPEN_STATUSES


async def tenant_info(session: AsyncSession, tenant_id: uuid.UUID) -> RowMapping | None:
    """The tenant's time zone, base currency and primary source (kit's tenant table)."""
    tenant = metadata.tables["tenant"]
    stmt = select(
        tenant.c.time_zone, tenant.c.base_currency, tenant.c.primary_source, tenant.c.status
    ).where(tenant.c.tenant_id == tenant_id)
    return (await session.execute(stmt)).mappings().one_or_none()


async def fx_rates(session: AsyncSession, tenant_id: uuid.UUID) -> dict[str, Decimal]:
    """Latest rate seen per currency (base units per one unit)."""
    rows = await session.execute(
        select(fx_rate.c.currency, fx_rate.c.rate_to_base).where(fx_rate.c.tenant_id == tenant_id)
    )
    return {r.currency: Decimal(r.rate_to_base) for r in rows}


async def upsert_fx(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Keep the newest rate per tenant × currency.

    ``rows``: ``tenant_id, currency, rate_to_base, seen_at``.
    """
    if not rows:
        return
    stmt = pg_insert(fx_rate).values(list(rows))
    stmt = stmt.on_conflict_do_update(
        index_elements=["tenant_id", "currency"],
        set_={"rate_to_base": stmt.excluded.rate_to_base, "seen_at": stmt.excluded.seen_at},
        where=fx_rate.c.seen_at <= stmt.excluded.seen_at,
    )
    await session.execute(stmt)


async def upsert_connection(session: AsyncSession, values: dict[str, Any]) -> None:
    """Insert or refresh a provider connection."""
    stmt = pg_insert(po_connection).values(**values)
    stmt = stmt.on_conflict_do_update(
        index_elements=["connection_id"],
        set_={k: stmt.excluded[k] for k in values if k != "connection_id"},
    )
    await session.execute(stmt)


async def active_connections(session: AsyncSession, tenant_id: uuid.UUID) -> list[RowMapping]:
    """Active connections of a tenant, most recently established first."""
    stmt = (
        select(po_connection.c.connection_id, po_connection.c.source)
        .where(po_connection.c.tenant_id == tenant_id, po_connection.c.active.is_(True))
        .order_by(po_connection.c.updated_at.desc())
    )
    return list((await session.execute(stmt)).mappings())


async def insert_draft(
    session: AsyncSession, values: dict[str, Any], lines: list[dict[str, Any]]
) -> None:
    await session.execute(po_draft.insert().values(**values))
    if lines:
        await session.execute(po_line.insert(), lines)


async def get_draft(
    session: AsyncSession, tenant_id: uuid.UUID, draft_id: uuid.UUID, *, lock: bool = False
) -> RowMapping | None:
    """One draft of the tenant; ``lock`` takes its row lock until the transaction ends."""
    stmt = select(po_draft).where(
        po_draft.c.tenant_id == tenant_id, po_draft.c.draft_id == draft_id
    )
    if lock:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).mappings().one_or_none()


async def draft_by_submission(
    session: AsyncSession, tenant_id: uuid.UUID, submission_id: uuid.UUID
) -> RowMapping | None:
    """The draft a submission belongs to, locked."""
    stmt = (
        select(po_draft)
        .where(po_draft.c.tenant_id == tenant_id, po_draft.c.submission_id == submission_id)
        .with_for_update()
    )
    return (await session.execute(stmt)).mappings().one_or_none()


async def lines_of(session: AsyncSession, draft_ids: Sequence[uuid.UUID]) -> list[RowMapping]:
    """Lines of some drafts, in position order."""
    if not draft_ids:
        return []
    stmt = (
        select(po_line)
        .where(po_line.c.draft_id.in_(list(draft_ids)))
        .order_by(po_line.c.draft_id, po_line.c.position)
    )
    return list((await session.execute(stmt)).mappings())


async def update_draft(session: AsyncSession, draft_id: uuid.UUID, values: dict[str, Any]) -> None:
    """Change a draft and bump its version (the ETag)."""
    await session.execute(
        update(po_draft)
        .where(po_draft.c.draft_id == draft_id)
        .values(**values, version=po_draft.c.version + 1)
    )


async def delete_draft(session: AsyncSession, draft_id: uuid.UUID) -> None:
    await session.execute(delete(po_draft).where(po_draft.c.draft_id == draft_id))


async def update_line(
    session: AsyncSession, draft_id: uuid.UUID, line_id: uuid.UUID, values: dict[str, Any]
) -> bool:
    result = await session.execute(
        update(po_line)
        .where(po_line.c.draft_id == draft_id, po_line.c.line_id == line_id)
        .values(**values)
    )
    return bool(getattr(result, "rowcount", 0))


async def delete_line(session: AsyncSession, draft_id: uuid.UUID, line_id: uuid.UUID) -> bool:
    result = await session.execute(
        delete(po_line).where(po_line.c.draft_id == draft_id, po_line.c.line_id == line_id)
    )
    return bool(getattr(result, "rowcount", 0))


async def next_position(session: AsyncSession, draft_id: uuid.UUID) -> int:
    stmt = select(func.coalesce(func.max(po_line.c.position), -1) + 1).where(
        po_line.c.draft_id == draft_id
    )
    return int((await session.execute(stmt)).scalar_one())


async def insert_line(session: AsyncSession, values: dict[str, Any]) -> bool:
    """Add a line; False when the variant is already on the draft."""
    stmt = (
        pg_insert(po_line)
        .values(**values)
        .on_conflict_do_nothing(constraint="uq_po_line_draft_variant")
        .returning(po_line.c.line_id)
    )
    return (await session.execute(stmt)).scalar_one_or_none() is not None


async def audit(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    draft_id: uuid.UUID,
    action: str,
    actor: str,
    at: datetime,
    details: dict[str, Any] | None = None,
) -> None:
    """Append an audit row: who did what to which order, and when."""
    await session.execute(
        po_audit.insert().values(
            tenant_id=tenant_id,
            draft_id=draft_id,
            action=action,
            actor=actor,
            at=at,
            details=details or {},
        )
    )


async def audit_of(
    session: AsyncSession, tenant_id: uuid.UUID, draft_id: uuid.UUID
) -> list[RowMapping]:
    stmt = (
        select(po_audit.c.action, po_audit.c.actor, po_audit.c.at, po_audit.c.details)
        .where(po_audit.c.tenant_id == tenant_id, po_audit.c.draft_id == draft_id)
        .order_by(po_audit.c.id)
    )
    return list((await session.execute(stmt)).mappings())


async def insert_attempt(session: AsyncSession, values: dict[str, Any]) -> None:
    await session.execute(po_attempt.insert().values(**values))


async def complete_attempt(
    session: AsyncSession, draft_id: uuid.UUID, attempt: int, values: dict[str, Any]
) -> None:
    """Record an attempt's outcome (first result wins; a replay changes nothing)."""
    await session.execute(
        update(po_attempt)
        .where(
            po_attempt.c.draft_id == draft_id,
            po_attempt.c.attempt == attempt,
            po_attempt.c.outcome == "pending",
        )
        .values(**values)
    )


async def attempts_of(session: AsyncSession, draft_id: uuid.UUID) -> list[RowMapping]:
    stmt = (
        select(po_attempt).where(po_attempt.c.draft_id == draft_id).order_by(po_attempt.c.attempt)
    )
    return list((await session.execute(stmt)).mappings())


def list_stmt(
    tenant_id: uuid.UUID,
    *,
    statuses: Sequence[str] | None,
    supplier_id: str | None,
    location_id: str | None,
    q: str | None,
) -> Select[Any]:
    """Orders of a tenant by status (default: every open status) and filters."""
    wanted = list(statuses) if statuses else [s.value for s in OPEN_STATUSES]
    stmt = select(po_draft).where(po_draft.c.tenant_id == tenant_id, po_draft.c.status.in_(wanted))
    if supplier_id:
        stmt = stmt.where(po_draft.c.supplier_id == supplier_id)
    if location_id:
        stmt = stmt.where(po_draft.c.location_id == location_id)
    if q:
        pattern = f"%{q}%"
        stmt = stmt.where(
            or_(
                po_draft.c.order_number.ilike(pattern),
                po_draft.c.provider_po_number.ilike(pattern),
                po_draft.c.supplier_id.ilike(pattern),
            )
        )
    return stmt


SORT_COLUMNS: dict[str, Any] = {
    "created_at": po_draft.c.created_at,
    "updated_at": po_draft.c.updated_at,
    "submitted_at": po_draft.c.submitted_at,
    "supplier_id": po_draft.c.supplier_id,
    "location_id": po_draft.c.location_id,
    "expected_arrival": po_draft.c.expected_arrival,
    "order_number": po_draft.c.order_number,
    "status": po_draft.c.status,
}
