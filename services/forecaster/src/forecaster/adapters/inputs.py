"""Writes of forecast inputs: idempotent upserts guarded by the provider's ``updated_at``.

Every upsert applies a record only if it is newer than the stored one (an equal or older
``updated_at`` is a replay and changes nothing). Deletions remove rows by provider id.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Table, delete, or_, select, text, tuple_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from forecaster.adapters.orm import (
    location,
    metadata,
    sales_line,
    series_setting,
    sku,
    stock_movement,
    stock_snapshot,
)

DEFAULT_TIME_ZONE = "UTC"


async def tenant_time_zone(session: AsyncSession, tenant_id: uuid.UUID) -> str:
    """The tenant's IANA time zone (UTC until the tenant row says otherwise)."""
    tenant = metadata.tables["tenant"]
    value = (
        await session.execute(select(tenant.c.time_zone).where(tenant.c.tenant_id == tenant_id))
    ).scalar_one_or_none()
    return value or DEFAULT_TIME_ZONE


async def _upsert(
    session: AsyncSession,
    table: Table,
    rows: Sequence[dict[str, Any]],
    key: Sequence[str],
    versioned: bool = True,
) -> None:
    if not rows:
        return
    stmt = pg_insert(table)
    update_cols = {c: stmt.excluded[c] for c in rows[0] if c not in key}
    where = None
    if versioned:
        where = or_(
            stmt.excluded.updated_at.is_(None),
            table.c.updated_at.is_(None),
            stmt.excluded.updated_at > table.c.updated_at,
        )
    stmt = stmt.on_conflict_do_update(index_elements=list(key), set_=update_cols, where=where)
    await session.execute(stmt, list(rows))


_LINE_COLUMNS = (
    ("line_id", "varchar"),
    ("order_id", "varchar"),
    ("variant_id", "varchar"),
    ("location_id", "varchar"),
    ("demand_at", "timestamptz"),
    ("day", "date"),
    ("quantity", "numeric"),
    ("is_return", "boolean"),
    ("status", "varchar"),
    ("raw_status", "varchar"),
    ("updated_at", "timestamptz"),
)
_UPSERT_LINES = text(
    "insert into sales_line (tenant_id, " + ", ".join(c for c, _ in _LINE_COLUMNS) + ") "
    "select cast(:tenant_id as uuid), * from unnest("
    + ", ".join(f"cast(:{c} as {t}[])" for c, t in _LINE_COLUMNS)
    + ") "
    "on conflict (tenant_id, line_id) do update set "
    + ", ".join(f"{c} = excluded.{c}" for c, _ in _LINE_COLUMNS[1:])
    + " where excluded.updated_at is null or sales_line.updated_at is null"
    " or excluded.updated_at > sales_line.updated_at"
)


async def upsert_sales_lines(
    session: AsyncSession, tenant_id: uuid.UUID, columns: dict[str, list[Any]]
) -> None:
    """Insert or update sales lines (only where the incoming ``updated_at`` is newer).

    ``columns`` holds one list per column of ``_LINE_COLUMNS`` (unique line ids): one
    ``unnest`` statement per batch instead of a row-by-row executemany.
    """
    if columns["line_id"]:
        await session.execute(_UPSERT_LINES, {"tenant_id": tenant_id, **columns})


async def delete_sales_lines(
    session: AsyncSession, tenant_id: uuid.UUID, line_ids: Iterable[str]
) -> None:
    ids = list(line_ids)
    if ids:
        await session.execute(
            delete(sales_line).where(
                sales_line.c.tenant_id == tenant_id, sales_line.c.line_id.in_(ids)
            )
        )


async def upsert_movements(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    await _upsert(session, stock_movement, rows, ("tenant_id", "movement_id"))


async def delete_movements(
    session: AsyncSession, tenant_id: uuid.UUID, movement_ids: Iterable[str]
) -> None:
    ids = list(movement_ids)
    if ids:
        await session.execute(
            delete(stock_movement).where(
                stock_movement.c.tenant_id == tenant_id, stock_movement.c.movement_id.in_(ids)
            )
        )


async def upsert_snapshots(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Stock-level snapshots are keyed by their ``as_of`` instant (replays are no-ops)."""
    await _upsert(
        session,
        stock_snapshot,
        rows,
        ("tenant_id", "variant_id", "location_id", "as_of"),
        versioned=False,
    )


async def upsert_skus(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    await _upsert(session, sku, rows, ("tenant_id", "variant_id"))


async def upsert_locations(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    await _upsert(session, location, rows, ("tenant_id", "location_id"))


async def current_settings(
    session: AsyncSession, tenant_id: uuid.UUID, keys: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], Any]:
    """Stored (horizon, statuses, version) by (variant, location) for the given keys."""
    if not keys:
        return {}
    rows = await session.execute(
        select(
            series_setting.c.variant_id,
            series_setting.c.location_id,
            series_setting.c.backtest_horizon_days,
            series_setting.c.demand_statuses,
            series_setting.c.settings_version,
        ).where(
            series_setting.c.tenant_id == tenant_id,
            tuple_(series_setting.c.variant_id, series_setting.c.location_id).in_(keys),
        )
    )
    return {(r[0], r[1]): (r[2], list(r[3]), r[4]) for r in rows}


async def upsert_settings(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Replace settings of the given SKU x locations unless a newer version is stored."""
    if not rows:
        return
    stmt = pg_insert(series_setting)
    stmt = stmt.on_conflict_do_update(
        index_elements=["tenant_id", "variant_id", "location_id"],
        set_={
            c: stmt.excluded[c]
            for c in ("backtest_horizon_days", "demand_statuses", "settings_version")
        },
        where=stmt.excluded.settings_version >= series_setting.c.settings_version,
    )
    await session.execute(stmt, list(rows))


async def rebucket_days(session: AsyncSession, tenant_id: uuid.UUID, time_zone: str) -> None:
    """Recompute stored local days after the tenant's time zone changed."""
    for table, column in (
        ("sales_line", "demand_at"),
        ("stock_movement", "movement_at"),
        ("stock_snapshot", "as_of"),
    ):
        await session.execute(
            text(
                f"update {table} set day = ({column} at time zone :tz)::date where tenant_id = :t"
            ),
            {"tz": time_zone, "t": tenant_id},
        )
