"""Forecast payloads, v1 (``forecasting.forecasts.v1``), published by the forecaster.

The forecast contract is what the planner needs to re-plan without re-forecasting: per
tenant x SKU x location a daily mean path and quantiles of cumulative demand on a fixed
grid of horizons and levels. The planner interpolates between grid points and mixes over
lead-time variability itself.
"""

from __future__ import annotations

from datetime import date
from itertools import pairwise
from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field, JsonValue, model_validator

from restock_contracts._base import Event, ProviderId, Record

#: Minimum length of the daily mean path.
MIN_PATH_DAYS = 365
#: Suggested horizon grid in days.
DEFAULT_HORIZONS_DAYS = (7, 14, 21, 28, 35, 42, 56, 70, 91, 119, 182, 273, 365)
#: Suggested quantile levels.
DEFAULT_QUANTILE_LEVELS = (0.5, 0.75, 0.8, 0.85, 0.9, 0.95, 0.975, 0.99, 0.995)
#: Relative tolerance for the monotonicity checks (floating-point noise).
MONOTONE_TOLERANCE = 1e-9

NonNegFloat = Annotated[float, Field(ge=0, allow_inf_nan=False)]

DemandClass = Literal["smooth", "erratic", "intermittent", "lumpy", "new", "dead", "discontinued"]
"""Syntetos-Boylan demand class, plus new (short history), dead and discontinued."""


class BacktestError(Record):
    """Backtest error of the chosen model over ``horizon_days`` (lead time + review period).

    ``bias`` is mean(forecast - actual) / mean(actual): positive means over-forecasting.
    """

    metric: str = Field(description="e.g. 'wape', 'mase', 'rmsse', 'pinball'.")
    value: float = Field(allow_inf_nan=False)
    bias: float = Field(allow_inf_nan=False)
    horizon_days: int | None = Field(default=None, ge=1)
    origins: int | None = Field(default=None, ge=0, description="Backtest windows used.")


def _not_below(a: float, b: float) -> bool:
    """``b >= a`` up to :data:`MONOTONE_TOLERANCE` (relative)."""
    return b >= a - MONOTONE_TOLERANCE * max(1.0, abs(a))


class SkuForecast(Record):
    """The forecast of one SKU (variant) at one (purchasing) location.

    Shapes: ``mean_daily`` (D,) with D >= 365, day 0 = ``as_of`` (the tenant-local day the
    path starts); ``quantile_horizons_days`` (H,) strictly increasing, max <= D;
    ``quantile_levels`` (L,) strictly increasing in (0, 1); ``cumulative_quantiles`` (H, L)
    where ``[h][l]`` is the ``levels[l]`` quantile of total demand over days
    ``0 .. horizons[h] - 1``. Values are non-negative and non-decreasing along both axes.
    Units: stock units per day (mean) and stock units (quantiles), whatever ``granularity``
    the model was fitted on.
    """

    variant_id: ProviderId
    sku: str | None = None
    location_id: ProviderId
    forecast_run_id: UUID
    as_of: date
    mean_daily: list[NonNegFloat] = Field(min_length=MIN_PATH_DAYS)
    quantile_horizons_days: list[Annotated[int, Field(ge=1)]] = Field(min_length=1)
    quantile_levels: list[Annotated[float, Field(gt=0, lt=1)]] = Field(min_length=1)
    cumulative_quantiles: list[list[NonNegFloat]] = Field(min_length=1)
    model: str = Field(description="e.g. 'AutoETS', 'CrostonSBA', 'ADIDA', 'naive'.")
    model_params: dict[str, JsonValue] = Field(default_factory=dict)
    backtest: BacktestError | None = None
    demand_class: DemandClass
    granularity: Literal["D", "W", "M"]
    distribution: Literal["normal", "poisson", "negative_binomial", "gamma", "empirical"]

    @model_validator(mode="after")
    def _consistent_grid(self) -> SkuForecast:
        horizons, levels, grid = (
            self.quantile_horizons_days,
            self.quantile_levels,
            self.cumulative_quantiles,
        )
        if any(b <= a for a, b in pairwise(horizons)):
            raise ValueError("quantile_horizons_days must be strictly increasing")
        if horizons[-1] > len(self.mean_daily):
            raise ValueError(
                f"largest horizon {horizons[-1]} exceeds the mean path ({len(self.mean_daily)})"
            )
        if any(b <= a for a, b in pairwise(levels)):
            raise ValueError("quantile_levels must be strictly increasing")
        if len(grid) != len(horizons):
            raise ValueError(
                f"cumulative_quantiles has {len(grid)} rows, expected {len(horizons)} (horizons)"
            )
        for h, row in enumerate(grid):
            if len(row) != len(levels):
                raise ValueError(
                    f"cumulative_quantiles row {h} has {len(row)} values, "
                    f"expected {len(levels)} (levels)"
                )
            if not all(_not_below(a, b) for a, b in pairwise(row)):
                raise ValueError(f"cumulative_quantiles row {h} decreases along levels")
            if h and not all(_not_below(a, b) for a, b in zip(grid[h - 1], row, strict=True)):
                raise ValueError(
                    f"cumulative_quantiles decrease from horizon {horizons[h - 1]} to {horizons[h]}"
                )
        return self


class ForecastsPublished(Event):
    """A batch of SKU x location forecasts from one forecast run.

    A SKU x location's newest forecast replaces the previous one; the run's
    :class:`ForecastRunCompleted` says when all batches of the run are out.
    """

    event_type: Literal["forecasting.forecasts_published"] = "forecasting.forecasts_published"
    forecast_run_id: UUID
    batch_seq: int = Field(ge=1)
    forecasts: list[SkuForecast] = Field(min_length=1)


class ForecastRunCompleted(Event):
    """A forecast run finished; ``batch_count`` batches of forecasts were published."""

    event_type: Literal["forecasting.run_completed"] = "forecasting.run_completed"
    forecast_run_id: UUID
    as_of: date
    trigger: Literal["sync", "settings", "schedule", "manual", "override"]
    batch_count: int = Field(ge=0)
    forecast_count: int = Field(ge=0)
    failed_count: int = Field(default=0, ge=0, description="SKU x locations not forecast.")
