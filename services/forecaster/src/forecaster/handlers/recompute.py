"""Recompute use case: forecast a tenant's dirty SKUs (or all of them) and publish.

1. read the claim (dirty SKUs with their mark times, or a full request) and the inputs;
2. assemble the panel and run the engine in a worker thread;
3. in one transaction: store the run and the latest forecast per SKU x location, apply
   overrides, write ForecastsPublished batches and ForecastRunCompleted to the outbox,
   and clear exactly the marks that were read.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, cast

import numpy as np

from forecaster.adapters import dirty, history
from forecaster.adapters import forecasts as store
from forecaster.adapters.inputs import tenant_time_zone
from forecaster.domain.assemble import Retraction, assemble
from forecaster.domain.forecasting import SeriesForecast, run_engine
from forecaster.handlers.publish import (
    Trigger,
    adjust,
    contract_record,
    publish_run,
    retraction_record,
)
from platform_kit.clock import Clock
from platform_kit.db.uow import UnitOfWork

log = logging.getLogger(__name__)

TRIGGERS = ("sync", "settings", "schedule", "manual", "override")
ERROR_QUANTILES = (0.5, 0.9, 0.99)


@dataclass(frozen=True)
class RunResult:
    """What a run did."""

    run_id: uuid.UUID
    n_series: int
    batch_count: int
    duration_s: float
    full: bool
    retracted: int = 0
    backtest_error_quantiles: dict[float, float] | None = None
    """Quantiles (:data:`ERROR_QUANTILES`) of the run's per-series backtest errors."""


@dataclass(frozen=True)
class RecomputeConfig:
    """Tunables from the service settings."""

    max_history_days: int = 1095
    partial_limit: int = 5000


async def recompute_tenant(
    uow_factory: Callable[[], UnitOfWork],
    clock: Clock,
    tenant_id: uuid.UUID,
    config: RecomputeConfig,
) -> RunResult | None:
    """Run one recompute for a tenant if it has pending work; None when there was none."""
    started = time.perf_counter()
    started_at = clock.now()
    async with uow_factory() as uow:
        claim = await dirty.read_claim(uow.session, tenant_id)
        if not claim.full and not claim.marks:
            return None
        tz = await tenant_time_zone(uow.session, tenant_id)
        today = clock.today(tz)
        last_day = today - timedelta(days=1)
        variants = (
            None if claim.full or len(claim.marks) > config.partial_limit else sorted(claim.marks)
        )
        first = await history.first_day(uow.session, tenant_id, variants)
        start = max(first or last_day, last_day - timedelta(days=config.max_history_days - 1))
        start = min(start, last_day)
        raw = await history.load_inputs(uow.session, tenant_id, start, last_day, variants)
        if not raw.sales and not raw.known_series:
            await dirty.clear_claim(uow.session, claim)
            await uow.commit()
            return None
    t = (last_day - start).days + 1
    results, retractions = await asyncio.to_thread(_compute, raw, t, last_day)
    run_id = uuid.uuid4()
    trigger = cast(Trigger, claim.trigger if claim.trigger in TRIGGERS else "sync")
    async with uow_factory() as uow:
        await dirty.lock_publication(uow.session, tenant_id)
        overrides = await store.overrides_for(
            uow.session,
            tenant_id,
            [(r.variant_id, r.location_id) for r in results],
            active_on=today,
        )
        by_series: dict[tuple[str, str], list[Any]] = {}
        for o in overrides:
            by_series.setdefault((o["variant_id"], o["location_id"]), []).append(o)
        rows, records = [], []
        for r in results:
            adjusted = adjust(
                r.mean, r.quantiles, r.as_of, by_series.get((r.variant_id, r.location_id), [])
            )
            rows.append(_row(tenant_id, run_id, r, adjusted))
            mean, q = adjusted if adjusted is not None else (r.mean, r.quantiles)
            records.append(
                contract_record(
                    variant_id=r.variant_id,
                    location_id=r.location_id,
                    sku=r.sku,
                    run_id=run_id,
                    as_of=r.as_of,
                    mean=mean,
                    quantiles=q,
                    model=r.model,
                    params=r.params,
                    backtest_error=r.backtest_error,
                    bias=r.bias,
                    horizon_days=r.backtest_horizon_days,
                    demand_class=r.demand_class,
                    granularity=r.granularity,
                    distribution=r.distribution,
                )
            )
        records.extend(
            retraction_record(
                variant_id=x.variant_id,
                location_id=x.location_id,
                merged_into=x.merged_into,
                sku=x.sku,
                run_id=run_id,
                as_of=today,
            )
            for x in retractions
        )
        await store.insert_run(
            uow.session,
            {
                "run_id": run_id,
                "tenant_id": tenant_id,
                "trigger": trigger,
                "scope": "full" if variants is None else "partial",
                "as_of": today,
                "started_at": started_at,
                "n_series": len(results),
            },
        )
        await store.upsert_forecasts(uow.session, rows)
        await store.delete_forecasts(
            uow.session, tenant_id, [(x.variant_id, x.location_id) for x in retractions]
        )
        batches = publish_run(
            uow,
            tenant_id=tenant_id,
            run_id=run_id,
            records=records,
            as_of=today,
            trigger=trigger,
            failed=0,
            now=clock.now(),
        )
        duration = time.perf_counter() - started
        await store.finish_run(
            uow.session, run_id, finished_at=clock.now(), duration_s=duration, batch_count=batches
        )
        await dirty.clear_claim(uow.session, claim)
        await uow.commit()
    log.info(
        "forecast run %s tenant %s: %d series, %d retracted, %d batches, %.1fs",
        run_id,
        tenant_id,
        len(results),
        len(retractions),
        batches,
        duration,
    )
    return RunResult(
        run_id,
        len(results),
        batches,
        duration,
        variants is None,
        len(retractions),
        error_quantiles([r.backtest_error for r in results]),
    )


def error_quantiles(errors: list[float | None]) -> dict[float, float] | None:
    """:data:`ERROR_QUANTILES` of the known backtest errors (None when there are none)."""
    known = np.array([e for e in errors if e is not None and np.isfinite(e)], float)
    if known.size == 0:
        return None
    return {q: float(np.quantile(known, q)) for q in ERROR_QUANTILES}


def _compute(
    raw: history.RawInputs, t: int, last_day: date
) -> tuple[list[SeriesForecast], list[Retraction]]:
    panel = assemble(
        raw.sales,
        raw.movements,
        raw.snapshots,
        raw.locations,
        raw.skus,
        raw.settings,
        raw.known_series,
        t,
    )
    return run_engine(panel, last_day), panel.retractions


def _row(
    tenant_id: uuid.UUID, run_id: uuid.UUID, r: SeriesForecast, adjusted: Any
) -> dict[str, Any]:
    return {
        "tenant_id": tenant_id,
        "variant_id": r.variant_id,
        "location_id": r.location_id,
        "run_id": run_id,
        "as_of": r.as_of,
        "sku": r.sku,
        "model": r.model,
        "model_params": r.params,
        "demand_class": r.demand_class,
        "granularity": r.granularity,
        "distribution": r.distribution,
        "candidates": r.candidates,
        "backtest_error": r.backtest_error,
        "bias": r.bias,
        "backtest_horizon_days": r.backtest_horizon_days,
        "mean_28d": float(r.mean[:28].sum()),
        "stat_mean_daily": [round(float(v), 4) for v in r.mean],
        "stat_quantiles": [[round(float(v), 3) for v in row] for row in r.quantiles],
        "mean_daily": None if adjusted is None else [round(float(v), 4) for v in adjusted[0]],
        "cum_quantiles": None
        if adjusted is None
        else [[round(float(v), 3) for v in row] for row in adjusted[1]],
        "explanation": r.explanation,
        "outlier_days": r.outlier_days,
        "history_start": r.history_start,
    }
