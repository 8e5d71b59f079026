"""Writes of the mirrored inputs: catalog, stock, PO lines, submissions and forecasts.

Provider records are upserted only when their ``updated_at`` (stock: ``as_of``) is not
older than the stored one, so a late redelivery never overwrites newer data.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, or_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from planner.adapters.orm import (
    bom_row,
    forecast,
    location,
    po_line,
    po_submission,
    po_submission_line,
    sku,
    stock_level,
    supplier,
)

TABLES: dict[str, Table] = {
    "skus": sku,
    "suppliers": supplier,
    "locations": location,
    "bom_rows": bom_row,
    "stock_levels": stock_level,
    "purchase_order_lines": po_line,
}
_KEYS = {
    "skus": ("variant_id",),
    "suppliers": ("supplier_id",),
    "locations": ("location_id",),
    "bom_rows": ("bom_row_id",),
    "stock_levels": ("variant_id", "location_id"),
    "purchase_order_lines": ("po_id", "line_id"),
}


def record_key(stream: str, row: dict[str, Any]) -> str:
    """Stable text key of a record within its stream (for staged deletions)."""
    return "|".join(str(row[k]) for k in _KEYS[stream])


async def upsert_newer(
    session: AsyncSession, stream: str, tenant_id: uuid.UUID, rows: Sequence[dict[str, Any]]
) -> None:
    """Insert or update rows of ``stream`` unless the stored version is newer."""
    if not rows:
        return
    table = TABLES[stream]
    stamp = "as_of" if stream == "stock_levels" else "updated_at"
    latest = {record_key(stream, r): r for r in rows}
    values = [{"tenant_id": tenant_id, **r} for r in latest.values()]
    stmt = pg_insert(table)
    cols = [c for c in values[0] if c not in ("tenant_id", *_KEYS[stream])]
    stmt = stmt.on_conflict_do_update(
        index_elements=["tenant_id", *_KEYS[stream]],
        set_={c: stmt.excluded[c] for c in cols},
        where=or_(
            table.c[stamp].is_(None),
            stmt.excluded[stamp].is_(None),
            stmt.excluded[stamp] >= table.c[stamp],
        ),
    )
    await session.execute(stmt, values)


async def mark_deleted(
    session: AsyncSession, stream: str, tenant_id: uuid.UUID, rows: Sequence[dict[str, Any]]
) -> None:
    """Flag explicitly deleted records (deletions are never inferred from absence)."""
    table = TABLES[stream]
    for row in rows:
        where = [table.c.tenant_id == tenant_id]
        where += [table.c[k] == row[k] for k in _KEYS[stream]]
        await session.execute(update(table).where(*where).values(deleted=True))


async def upsert_forecasts(
    session: AsyncSession, tenant_id: uuid.UUID, rows: Sequence[dict[str, Any]]
) -> None:
    """Replace each SKU × location forecast unless the stored one is from a later day."""
    if not rows:
        return
    rows = list({(r["variant_id"], r["location_id"]): r for r in rows}.values())
    stmt = pg_insert(forecast)
    cols = [c for c in rows[0] if c not in ("variant_id", "location_id")]
    stmt = stmt.on_conflict_do_update(
        index_elements=["tenant_id", "variant_id", "location_id"],
        set_={c: stmt.excluded[c] for c in cols},
        where=stmt.excluded.as_of >= forecast.c.as_of,
    )
    await session.execute(stmt, [{"tenant_id": tenant_id, **r} for r in rows])


async def record_submission_request(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    submission_id: uuid.UUID,
    supplier_id: str,
    location_id: str,
    lines: Sequence[dict[str, Any]],
) -> None:
    """Keep the lines of a PO po-gateway asked to send (counted once it is submitted)."""
    stmt = pg_insert(po_submission).values(
        tenant_id=tenant_id,
        submission_id=submission_id,
        supplier_id=supplier_id,
        location_id=location_id,
        requested=True,
    )
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=["tenant_id", "submission_id"],
            set_={"supplier_id": supplier_id, "location_id": location_id, "requested": True},
        )
    )
    if lines:
        await session.execute(
            pg_insert(po_submission_line).on_conflict_do_nothing(),
            [{"tenant_id": tenant_id, "submission_id": submission_id, **ln} for ln in lines],
        )


async def record_submitted(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    submission_id: uuid.UUID,
    provider_po_id: str,
    submitted_at: Any,
) -> None:
    """The PO exists at the provider: count it on order at once (provisional)."""
    stmt = pg_insert(po_submission).values(
        tenant_id=tenant_id,
        submission_id=submission_id,
        provider_po_id=provider_po_id,
        submitted_at=submitted_at,
    )
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=["tenant_id", "submission_id"],
            set_={"provider_po_id": provider_po_id, "submitted_at": submitted_at},
        )
    )
