"""Ingest against real Postgres: newer-wins upserts, refresh deletions held until the
stream completes (and dropped when a batch is missing), tenant purge."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pl_support import make_settings
from sqlalchemy import func, select
from test_pl_flow import AT, CONN, _sku

from planner.adapters.orm import sku as sku_table
from planner.adapters.orm import stock_level
from planner.app import build_spec
from planner.handlers import ingest
from platform_kit.service import create_app
from platform_kit.tenancy import purge_tenant
from platform_kit.testing.servers import serve_app
from restock_contracts.catalog.v1 import SkusChanged
from restock_contracts.inventory.v1 import StockLevelRecord, StockLevelsChanged
from restock_contracts.sync.v1 import StreamCompleted

pytestmark = pytest.mark.asyncio


def _skus(sync: uuid.UUID, seq: int, records: list[Any]) -> SkusChanged:
    return SkusChanged(
        source="katana",
        connection_id=CONN,
        sync_id=sync,
        mode="refresh",
        batch_seq=seq,
        records=records,
    )


def _done(sync: uuid.UUID, count: int) -> StreamCompleted:
    return StreamCompleted(
        source="katana",
        connection_id=CONN,
        sync_id=sync,
        mode="refresh",
        stream="skus",
        batch_count=count,
        record_count=count,
    )


async def _deleted(runtime: Any, tenant: uuid.UUID) -> dict[str, bool]:
    async with runtime.uow() as uow:
        rows = await uow.session.execute(
            select(sku_table.c.variant_id, sku_table.c.deleted).where(
                sku_table.c.tenant_id == tenant
            )
        )
    return {r[0]: r[1] for r in rows}


async def test_refresh_deletions_wait_for_a_complete_stream_and_purge_removes_all(
    pg_url: str, keys_dir: Path, unique_name: str
) -> None:
    settings = make_settings(
        pg_url, "", keys_dir, f"pli_{unique_name}", KAFKA_BOOTSTRAP_SERVERS=None, run_replan=False
    )
    app = create_app(build_spec(settings))
    tenant = uuid.uuid4()
    async with serve_app(app):
        rt = app.state.runtime
        s1, s2 = uuid.uuid4(), uuid.uuid4()
        async with rt.uow() as uow:
            await ingest.apply_records(uow, "skus", tenant, _skus(s1, 1, [_sku("a"), _sku("b")]))
            await ingest.apply_records(
                uow,
                "skus",
                tenant,
                _skus(
                    s1,
                    2,
                    [
                        _sku("b", deleted=True),
                        _sku("a", name="stale", updated_at=AT - timedelta(days=1)),
                    ],
                ),
            )
            await uow.commit()
        assert await _deleted(rt, tenant) == {"a": False, "b": False}, "held until complete"
        async with rt.uow() as uow:
            await ingest.complete_stream(uow, tenant, _done(s1, 2))
            await uow.commit()
        assert await _deleted(rt, tenant) == {"a": False, "b": True}
        async with rt.uow() as uow:
            name = (
                await uow.session.execute(
                    select(sku_table.c.name).where(
                        sku_table.c.tenant_id == tenant, sku_table.c.variant_id == "a"
                    )
                )
            ).scalar_one()
        assert name == "Thing a", "an older record never overwrites a newer one"

        async with rt.uow() as uow:
            await ingest.apply_records(
                uow,
                "skus",
                tenant,
                _skus(s2, 2, [_sku("a", deleted=True, updated_at=AT + timedelta(days=1))]),
            )
            await ingest.complete_stream(uow, tenant, _done(s2, 2))
            await uow.commit()
        assert await _deleted(rt, tenant) == {"a": False, "b": True}, "batch 1 missing"

        async with rt.uow() as uow:
            await ingest.apply_records(
                uow,
                "stock_levels",
                tenant,
                StockLevelsChanged(
                    source="katana",
                    connection_id=CONN,
                    sync_id=None,
                    mode="webhook",
                    batch_seq=1,
                    records=[
                        StockLevelRecord(
                            variant_id="a",
                            location_id="wh",
                            on_hand=Decimal(1),
                            committed=Decimal(0),
                            as_of=AT,
                            updated_at=AT,
                        )
                    ],
                ),
            )
            await uow.commit()
        async with rt.uow() as uow:
            await purge_tenant(uow, tenant)
            await uow.commit()
        async with rt.uow() as uow:
            left = (
                await uow.session.execute(
                    select(func.count())
                    .select_from(stock_level)
                    .where(stock_level.c.tenant_id == tenant)
                )
            ).scalar_one()
            await ingest.apply_records(uow, "skus", tenant, _skus(uuid.uuid4(), 1, [_sku("z")]))
            await uow.commit()
        assert left == 0
        assert await _deleted(rt, tenant) == {}, "a purged tenant is not resurrected"
