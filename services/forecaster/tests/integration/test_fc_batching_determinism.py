"""Published forecasts do not depend on how a sales sync was batched (real Postgres).

The engine pools statistics across the series of a run (per-category seasonal profiles,
per-class calibration), so a partial run over only the dirty SKUs of a slow load gives
other numbers than a run over the whole tenant. The same sales data fed in one batch
and in several batches with partial recomputes in between must leave identical latest
forecasts once the sync completes.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
import pytest
from fc_support import CONNECTION, NOW, apply_event, line, lines_event
from sqlalchemy import select

from forecaster.adapters.orm import forecast
from forecaster.handlers import ingest
from forecaster.handlers.recompute import RecomputeConfig, RunResult, recompute_tenant
from platform_kit.clock import Clock
from platform_kit.db import Database, UnitOfWork
from restock_contracts.sales.v1 import SalesLineRecord
from restock_contracts.sync.v1 import StreamCompleted
from restock_contracts.tenancy.v1 import TenantUpdated

pytestmark = pytest.mark.asyncio
LAST = date(2026, 5, 31)
VARIANTS = tuple(f"v{i}" for i in range(8))
COMPARED = (
    "model",
    "model_params",
    "demand_class",
    "stat_mean_daily",
    "stat_quantiles",
    "cum_quantiles",
    "backtest_error",
    "bias",
)


def _history() -> dict[str, list[SalesLineRecord]]:
    """Sales lines per variant: 240 days, smooth and intermittent, weekly pattern."""
    rng = np.random.default_rng(5)
    out: dict[str, list[SalesLineRecord]] = {}
    for i, v in enumerate(VARIANTS):
        rate = 0.4 + 1.5 * i if i % 3 else 0.25
        recs = []
        for k in range(240):
            day = LAST - timedelta(days=k)
            qty = int(rng.poisson(rate * (1.4 if day.weekday() < 2 else 0.9)))
            if qty:
                at = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=12)
                recs.append(line(f"{v}-{k}", v, "wh", at, qty))
        out[v] = recs
    return out


async def _tenant(db: Database) -> uuid.UUID:
    tenant = uuid.uuid4()
    state = TenantUpdated(
        tenant_id=tenant, name="t", time_zone="UTC", base_currency="EUR", primary_source="katana"
    )
    await apply_event(db, ingest.apply_tenant_state, tenant, state)
    return tenant


async def _sync(
    db: Database, tenant: uuid.UUID, batches: list[list[SalesLineRecord]]
) -> RunResult | None:
    """Feed one sales sync batch by batch, a partial recompute after each, then complete it;
    the run after the completion."""
    clock = Clock.from_setting(NOW)
    sync_id = uuid.uuid4()
    for seq, batch in enumerate(batches, start=1):
        event = lines_event(batch, sync_id, seq)
        await apply_event(db, ingest.apply_sales_lines, tenant, event)
        run = await recompute_tenant(lambda: UnitOfWork(db), clock, tenant, RecomputeConfig())
        assert run is not None
    done = StreamCompleted(
        source="katana",
        connection_id=CONNECTION,
        sync_id=sync_id,
        mode="incremental",
        stream="sales_lines",
        batch_count=len(batches),
        record_count=sum(len(b) for b in batches),
    )
    await apply_event(db, ingest.complete_stream, tenant, done)
    return await recompute_tenant(lambda: UnitOfWork(db), clock, tenant, RecomputeConfig())


async def _latest(db: Database, tenant: uuid.UUID) -> dict[str, dict[str, Any]]:
    async with db.sessions() as s:
        rows = await s.execute(
            select(forecast.c.variant_id, *(forecast.c[c] for c in COMPARED)).where(
                forecast.c.tenant_id == tenant
            )
        )
        return {r[0]: dict(zip(COMPARED, r[1:], strict=True)) for r in rows}


async def test_batched_sync_with_partial_runs_publishes_the_one_batch_forecasts(
    db: Database,
) -> None:
    history = _history()
    one = await _tenant(db)
    await _sync(db, one, [[r for v in VARIANTS for r in history[v]]])
    batched = await _tenant(db)
    groups = (VARIANTS[:3], VARIANTS[3:6], VARIANTS[6:])
    final = await _sync(db, batched, [[r for v in g for r in history[v]] for g in groups])
    expected, got = await _latest(db, one), await _latest(db, batched)
    assert sorted(expected) == list(VARIANTS)
    assert got == expected
    assert final is not None and final.full and final.n_series == len(VARIANTS)
