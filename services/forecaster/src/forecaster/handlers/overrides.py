"""Override use cases: create, change, delete; each one republishes the SKU's forecast."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np

from forecaster.adapters import forecasts as store
from forecaster.adapters.dirty import lock_publication
from forecaster.domain.errors import NotFound, VersionConflict
from forecaster.domain.overrides import Override
from forecaster.handlers.publish import adjust, contract_record, publish_run
from platform_kit.clock import Clock
from platform_kit.db.uow import UnitOfWork


@dataclass(frozen=True)
class OverrideInput:
    """Fields a planner sends for an override."""

    kind: str
    start_date: date
    end_date: date | None
    units_per_day: Decimal | None
    total_units: Decimal | None
    note: str | None = None

    def validate(self) -> None:
        Override(
            self.kind,
            self.start_date,
            self.end_date,
            None if self.units_per_day is None else float(self.units_per_day),
            None if self.total_units is None else float(self.total_units),
        ).validate()


async def list_overrides(
    uow: UnitOfWork, tenant_id: uuid.UUID, variant_id: str, location_id: str | None
) -> list[Any]:
    rows = await store.overrides_for(uow.session, tenant_id)
    return [
        r
        for r in rows
        if r["variant_id"] == variant_id
        and (location_id is None or r["location_id"] == location_id)
    ]


async def get_override(uow: UnitOfWork, tenant_id: uuid.UUID, override_id: uuid.UUID) -> Any:
    row = await store.get_override(uow.session, tenant_id, override_id)
    if row is None:
        raise NotFound(f"override {override_id} not found")
    return row


async def create_override(
    uow: UnitOfWork,
    clock: Clock,
    tenant_id: uuid.UUID,
    user_id: str,
    variant_id: str,
    location_id: str,
    data: OverrideInput,
) -> Any:
    """Store an override (who and when) and republish the SKU x location's forecast."""
    data.validate()
    await lock_publication(uow.session, tenant_id)
    if not await store.get_forecast(uow.session, tenant_id, variant_id, location_id):
        raise NotFound(f"no forecast for SKU {variant_id} at location {location_id}")
    now = clock.now()
    override_id = uuid.uuid4()
    await store.insert_override(
        uow.session,
        {
            "override_id": override_id,
            "tenant_id": tenant_id,
            "variant_id": variant_id,
            "location_id": location_id,
            "kind": data.kind,
            "start_date": data.start_date,
            "end_date": data.end_date,
            "units_per_day": data.units_per_day,
            "total_units": data.total_units,
            "note": data.note,
            "created_by": user_id,
            "created_at": now,
            "updated_by": user_id,
            "updated_at": now,
            "version": 1,
        },
    )
    await republish(uow, clock, tenant_id, variant_id, location_id)
    return await store.get_override(uow.session, tenant_id, override_id)


async def update_override(
    uow: UnitOfWork,
    clock: Clock,
    tenant_id: uuid.UUID,
    user_id: str,
    override_id: uuid.UUID,
    version: int | None,
    data: OverrideInput,
) -> Any:
    """Replace an override's fields (optimistic: ``version`` must match) and republish."""
    data.validate()
    await lock_publication(uow.session, tenant_id)
    row = await store.get_override(uow.session, tenant_id, override_id, for_update=True)
    if row is None:
        raise NotFound(f"override {override_id} not found")
    if version is not None and row["version"] != version:
        raise VersionConflict("the override changed since it was read")
    await store.update_override(
        uow.session,
        tenant_id,
        override_id,
        {
            "kind": data.kind,
            "start_date": data.start_date,
            "end_date": data.end_date,
            "units_per_day": data.units_per_day,
            "total_units": data.total_units,
            "note": data.note,
            "updated_by": user_id,
        },
        clock.now(),
    )
    await republish(uow, clock, tenant_id, row["variant_id"], row["location_id"])
    return await store.get_override(uow.session, tenant_id, override_id)


async def delete_override(
    uow: UnitOfWork, clock: Clock, tenant_id: uuid.UUID, override_id: uuid.UUID, version: int | None
) -> None:
    row = await store.get_override(uow.session, tenant_id, override_id, for_update=True)
    if row is None:
        raise NotFound(f"override {override_id} not found")
    if version is not None and row["version"] != version:
        raise VersionConflict("the override changed since it was read")
    await store.delete_override(uow.session, tenant_id, override_id)
    await republish(uow, clock, tenant_id, row["variant_id"], row["location_id"])


async def republish(
    uow: UnitOfWork, clock: Clock, tenant_id: uuid.UUID, variant_id: str, location_id: str
) -> uuid.UUID | None:
    """Re-apply overrides to the stored statistical forecast and publish it (one-SKU run)."""
    rows = await store.get_forecast(uow.session, tenant_id, variant_id, location_id)
    if not rows:
        return None
    f = rows[0]
    mean = np.asarray(f["stat_mean_daily"], dtype=float)
    quantiles = np.asarray(f["stat_quantiles"], dtype=float)
    overrides = await store.overrides_for(
        uow.session, tenant_id, [(variant_id, location_id)], active_on=f["as_of"]
    )
    adjusted = adjust(mean, quantiles, f["as_of"], overrides)
    run_id = uuid.uuid4()
    now = clock.now()
    await store.insert_run(
        uow.session,
        {
            "run_id": run_id,
            "tenant_id": tenant_id,
            "trigger": "override",
            "scope": "override",
            "as_of": f["as_of"],
            "started_at": now,
            "n_series": 1,
        },
    )
    out_mean, out_q = adjusted if adjusted is not None else (mean, quantiles)
    await store.set_adjusted(
        uow.session,
        tenant_id,
        variant_id,
        location_id,
        None if adjusted is None else [round(float(v), 4) for v in out_mean],
        None if adjusted is None else [[round(float(v), 3) for v in r] for r in out_q],
        run_id,
    )
    record = contract_record(
        variant_id=variant_id,
        location_id=location_id,
        sku=f["sku"],
        run_id=run_id,
        as_of=f["as_of"],
        mean=out_mean,
        quantiles=out_q,
        model=f["model"],
        params=f["model_params"],
        backtest_error=f["backtest_error"],
        bias=f["bias"],
        horizon_days=f["backtest_horizon_days"],
        demand_class=f["demand_class"],
        granularity=f["granularity"],
        distribution=f["distribution"],
    )
    batches = publish_run(
        uow,
        tenant_id=tenant_id,
        run_id=run_id,
        records=[record],
        as_of=f["as_of"],
        trigger="override",
        failed=0,
        now=now,
    )
    await store.finish_run(
        uow.session, run_id, finished_at=clock.now(), duration_s=0.0, batch_count=batches
    )
    return run_id
