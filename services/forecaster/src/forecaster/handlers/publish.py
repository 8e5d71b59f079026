"""Turn stored/computed forecasts into the forecast contract and publish it in batches."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from forecaster.domain.forecasting import BACKTEST_METRIC
from forecaster.domain.overrides import Override, apply_overrides
from platform_kit.db.uow import UnitOfWork
from restock_contracts.batching import split_by_bytes
from restock_contracts.envelope import derived_event_id
from restock_contracts.forecasting.v1 import (
    BacktestError,
    ForecastRunCompleted,
    ForecastsPublished,
    SkuForecast,
)
from restock_contracts.topics import FORECASTS
from restock_forecasting import HORIZON_DAYS, QUANTILE_HORIZONS_DAYS, QUANTILE_LEVELS

PRODUCER = "forecaster"
RETRACTED_MODEL = "retracted"
Trigger = Literal["sync", "settings", "schedule", "manual", "override"]


def override_from_row(row: Mapping[str, Any]) -> Override:
    """Domain override from a stored ``forecast_override`` row."""
    return Override(
        kind=row["kind"],
        start=row["start_date"],
        end=row["end_date"],
        units_per_day=None if row["units_per_day"] is None else float(row["units_per_day"]),
        total_units=None if row["total_units"] is None else float(row["total_units"]),
    )


def adjust(
    mean: NDArray[np.float64],
    quantiles: NDArray[np.float64],
    as_of: date,
    overrides: Sequence[Mapping[str, Any]],
) -> tuple[NDArray[np.float64], NDArray[np.float64]] | None:
    """The overridden (mean, quantiles), or None when no override applies."""
    if not overrides:
        return None
    return apply_overrides(
        mean,
        quantiles,
        QUANTILE_HORIZONS_DAYS,
        QUANTILE_LEVELS,
        as_of,
        [override_from_row(o) for o in overrides],
    )


def contract_record(
    *,
    variant_id: str,
    location_id: str,
    sku: str | None,
    run_id: uuid.UUID,
    as_of: date,
    mean: NDArray[np.float64],
    quantiles: NDArray[np.float64],
    model: str,
    params: dict[str, Any],
    backtest_error: float | None,
    bias: float | None,
    horizon_days: int,
    demand_class: str,
    granularity: str,
    distribution: str,
) -> SkuForecast:
    """One :class:`SkuForecast` (means rounded to 4 decimals, quantiles to 3)."""
    backtest = None
    if backtest_error is not None:
        backtest = BacktestError(
            metric=BACKTEST_METRIC,
            value=backtest_error,
            bias=bias if bias is not None else 0.0,
            horizon_days=max(horizon_days, 1),
            origins=3,
        )
    return SkuForecast(
        variant_id=variant_id,
        sku=sku,
        location_id=location_id,
        forecast_run_id=run_id,
        as_of=as_of,
        mean_daily=np.round(mean, 4).tolist(),
        quantile_horizons_days=list(QUANTILE_HORIZONS_DAYS),
        quantile_levels=list(QUANTILE_LEVELS),
        cumulative_quantiles=np.round(quantiles, 3).tolist(),
        model=model,
        model_params=params,
        backtest=backtest,
        demand_class=demand_class,
        granularity=granularity,
        distribution=distribution,
    )


def retraction_record(
    *,
    variant_id: str,
    location_id: str,
    merged_into: str,
    sku: str | None,
    run_id: uuid.UUID,
    as_of: date,
) -> SkuForecast:
    """Zero forecast replacing the stale forecast of a location that is now sales-only.

    Its demand is part of ``merged_into``'s series from now on; ``model`` is
    ``retracted`` and ``model_params`` say where the demand went.
    """
    return contract_record(
        variant_id=variant_id,
        location_id=location_id,
        sku=sku,
        run_id=run_id,
        as_of=as_of,
        mean=np.zeros(HORIZON_DAYS),
        quantiles=np.zeros((len(QUANTILE_HORIZONS_DAYS), len(QUANTILE_LEVELS))),
        model=RETRACTED_MODEL,
        params={
            "retracted": True,
            "reason": "sales_only_location",
            "merged_into": merged_into,
        },
        backtest_error=None,
        bias=None,
        horizon_days=1,
        demand_class="dead",
        granularity="W",
        distribution="poisson",
    )


def publish_run(
    uow: UnitOfWork,
    *,
    tenant_id: uuid.UUID,
    run_id: uuid.UUID,
    records: Sequence[SkuForecast],
    as_of: date,
    trigger: Trigger,
    failed: int,
    now: datetime,
) -> int:
    """Queue ForecastsPublished batches (<= 512 KB each) and ForecastRunCompleted."""
    batches = split_by_bytes(records)
    for seq, batch in enumerate(batches, start=1):
        payload = ForecastsPublished(forecast_run_id=run_id, batch_seq=seq, forecasts=batch)
        uow.publish(
            FORECASTS.envelope(
                payload,
                tenant_id=tenant_id,
                producer=PRODUCER,
                occurred_at=now,
                event_id=derived_event_id(PRODUCER, run_id, "batch", seq),
            ),
            FORECASTS.name,
        )
    done = ForecastRunCompleted(
        forecast_run_id=run_id,
        as_of=as_of,
        trigger=trigger,
        batch_count=len(batches),
        forecast_count=len(records),
        failed_count=failed,
    )
    uow.publish(
        FORECASTS.envelope(
            done,
            tenant_id=tenant_id,
            producer=PRODUCER,
            occurred_at=now,
            event_id=derived_event_id(PRODUCER, run_id, "completed"),
        ),
        FORECASTS.name,
    )
    return len(batches)
