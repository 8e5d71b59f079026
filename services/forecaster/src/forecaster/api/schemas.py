"""Request and response models of the forecaster API."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field


class ForecastSummary(BaseModel):
    """One SKU x location's latest forecast in the list."""

    variant_id: str
    location_id: str
    sku: str | None
    name: str | None
    demand_class: str
    model: str
    backtest_error: float | None
    bias: float | None
    mean_28d: float = Field(description="Published expected demand over the next 28 days.")
    as_of: date
    run_id: uuid.UUID
    updated_at: datetime
    overridden: bool


class OverrideIn(BaseModel):
    """A demand override: a period (``start_date``..``end_date``, per day or total) or a rate."""

    location_id: str | None = Field(default=None, description="Required when creating.")
    kind: Literal["period", "rate"]
    start_date: date
    end_date: date | None = None
    units_per_day: Decimal | None = Field(default=None, ge=0)
    total_units: Decimal | None = Field(default=None, ge=0)
    note: str | None = Field(default=None, max_length=2000)


class OverrideOut(BaseModel):
    """A stored override with who changed it and when."""

    override_id: uuid.UUID
    variant_id: str
    location_id: str
    kind: str
    start_date: date
    end_date: date | None
    units_per_day: Decimal | None
    total_units: Decimal | None
    note: str | None
    created_by: str
    created_at: datetime
    updated_by: str
    updated_at: datetime
    version: int


class RecomputeIn(BaseModel):
    """Recompute some SKUs, or every SKU of the tenant when ``variant_ids`` is empty."""

    variant_ids: list[str] = Field(default_factory=list, max_length=10_000)


class RecomputeOut(BaseModel):
    status: Literal["scheduled"] = "scheduled"
    scope: Literal["full", "partial"]


class RunOut(BaseModel):
    """A stored forecast run."""

    run_id: uuid.UUID
    trigger: str
    scope: str
    as_of: date
    started_at: datetime
    finished_at: datetime | None
    duration_s: float | None
    n_series: int
    n_failed: int
    batch_count: int


Explanation = dict[str, Any]
