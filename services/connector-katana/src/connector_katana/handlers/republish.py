"""Rebuild downstream from the normalised snapshot, without calling Katana."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from connector_katana.adapters.orm import snapshot
from connector_katana.handlers.connections import get_row
from connector_katana.handlers.deps import Deps
from connector_katana.handlers.publishing import (
    PRODUCER,
    STREAM_MODELS,
    Target,
    complete_stream,
    publish,
)
from restock_contracts.envelope import derived_event_id
from restock_contracts.sync.v1 import StreamCount, SyncFinished, SyncStarted
from restock_contracts.topics import SYNC

PAGE = 2000


async def republish(deps: Deps, tenant_id: uuid.UUID, connection_id: uuid.UUID) -> dict[str, Any]:
    """Publish every live snapshot record as a refresh-mode sync (one transaction per chunk)."""
    await get_row(deps, tenant_id, connection_id)
    sync_id = uuid.uuid4()
    target = Target(tenant_id, connection_id, sync_id, "refresh", sync_id)
    started = deps.clock.now()
    async with deps.uow() as uow:
        uow.publish(
            SYNC.envelope(
                SyncStarted(
                    source="katana",
                    connection_id=connection_id,
                    sync_id=sync_id,
                    mode="refresh",
                    streams=list(STREAM_MODELS),
                    started_at=started,
                ),
                tenant_id=tenant_id,
                producer=PRODUCER,
                event_id=derived_event_id(connection_id, sync_id, "started"),
            ),
            SYNC.name,
        )
        await uow.commit()
    for stream, (model, _event) in STREAM_MODELS.items():
        last = ""
        chunk = 0
        while True:
            async with deps.uow() as uow:
                rows = (
                    await uow.session.execute(
                        select(snapshot.c.provider_id, snapshot.c.record)
                        .where(
                            snapshot.c.connection_id == connection_id,
                            snapshot.c.stream == stream,
                            snapshot.c.deleted.is_(False),
                            snapshot.c.provider_id > last,
                        )
                        .order_by(snapshot.c.provider_id)
                        .limit(PAGE)
                    )
                ).all()
                if rows:
                    last = rows[-1].provider_id
                    publish(
                        uow,
                        target,
                        stream,
                        [model.model_validate(r.record) for r in rows],
                        f"snapshot:{chunk}",
                    )
                    chunk += 1
                if len(rows) < PAGE:
                    complete_stream(uow, target, stream)
                await uow.commit()
            if len(rows) < PAGE:
                break
    counts = [
        StreamCount(stream=s, batch_count=c["batches"], record_count=c["records"])
        for s, c in target.counters.items()
    ]
    async with deps.uow() as uow:
        uow.publish(
            SYNC.envelope(
                SyncFinished(
                    source="katana",
                    connection_id=connection_id,
                    sync_id=sync_id,
                    mode="refresh",
                    outcome="succeeded",
                    started_at=started,
                    finished_at=datetime.now(UTC),
                    streams=counts,
                ),
                tenant_id=tenant_id,
                producer=PRODUCER,
                event_id=derived_event_id(connection_id, sync_id, "finished"),
            ),
            SYNC.name,
        )
        await uow.commit()
    return {
        "sync_id": str(sync_id),
        "records": {s: c["records"] for s, c in target.counters.items()},
    }
