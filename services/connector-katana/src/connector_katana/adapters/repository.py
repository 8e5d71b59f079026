"""Small queries on the connector's own tables."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ARRAY, Text, cast, func, literal, literal_column, select, text, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert

from connector_katana.adapters.orm import load_job, watermark
from platform_kit.db.engine import Database
from platform_kit.db.uow import UnitOfWork

MAX_SKIPPED_KEPT = 500


async def load_watermark(db: Database, connection_id: uuid.UUID, read: str) -> datetime | None:
    """The newest provider ``updated_at`` a completed read of ``read`` has seen."""
    async with db.sessions() as session:
        return (
            await session.execute(
                select(watermark.c.updated_at).where(
                    watermark.c.connection_id == connection_id, watermark.c.entity == read
                )
            )
        ).scalar_one_or_none()


async def save_watermark(
    uow: UnitOfWork, connection_id: uuid.UUID, tenant_id: uuid.UUID, read: str, value: datetime
) -> None:
    """Move a read's watermark forward (never back)."""
    stmt = pg_insert(watermark).values(
        connection_id=connection_id, entity=read, tenant_id=tenant_id, updated_at=value
    )
    await uow.session.execute(
        stmt.on_conflict_do_update(
            index_elements=["connection_id", "entity"],
            set_={"updated_at": stmt.excluded.updated_at},
            where=watermark.c.updated_at < stmt.excluded.updated_at,
        )
    )


def _path(parts: tuple[str, ...]) -> Any:
    return cast(literal(list(parts), ARRAY(Text)), ARRAY(Text))


def _json(value: Any) -> Any:
    return cast(literal(json.dumps(value, default=str)), JSONB)


async def save_progress(
    uow: UnitOfWork,
    *,
    job_id: uuid.UUID,
    owner: str,
    lease_s: float,
    parts: list[tuple[tuple[str, ...], Any]],
    full: dict[str, Any] | None,
    errors: list[dict[str, Any]],
    skipped: list[dict[str, Any]],
) -> bool:
    """Write job progress (whole, or only the given JSON paths), append skipped records
    (the first ``MAX_SKIPPED_KEPT`` are kept) and renew the lease. False if the lease is
    held by another runner or the job ended."""
    progress: Any = _json(full) if full is not None else load_job.c.progress
    for path, value in parts:
        progress = func.jsonb_set(progress, _path(path), _json(value))
    values: dict[str, Any] = {"progress": progress, "errors": _json(errors)}
    if skipped:
        values["skipped"] = func.jsonb_path_query_array(
            load_job.c.skipped.op("||")(_json(skipped)),
            literal_column(f"'$[0 to {MAX_SKIPPED_KEPT - 1}]'::jsonpath"),
        )
    result = await uow.session.execute(
        update(load_job)
        .where(
            load_job.c.job_id == job_id,
            load_job.c.lease_owner == owner,
            load_job.c.status.in_(["queued", "running"]),
        )
        .values(
            **values,
            lease_until=text("clock_timestamp() + make_interval(secs => :lease)").bindparams(
                lease=float(lease_s)
            ),
        )
    )
    return bool(getattr(result, "rowcount", 0))


async def job_status(db: Database, job_id: uuid.UUID) -> tuple[str, str, dict[str, Any]] | None:
    """(status, mode, progress) of a load job, or None when it does not exist."""
    from connector_katana.adapters.orm import load_job

    async with db.sessions() as session:
        row = (
            await session.execute(
                select(load_job.c.status, load_job.c.mode, load_job.c.progress).where(
                    load_job.c.job_id == job_id
                )
            )
        ).one_or_none()
    return (row.status, row.mode, dict(row.progress or {})) if row else None
