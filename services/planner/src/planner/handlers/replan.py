"""The re-plan use case: read a tenant's inputs, run the policy kernel, store a plan
version, publish ``PlanUpdated`` and the effective settings that changed.

A settings change re-plans from the stored forecasts; nothing here asks for a forecast.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from planner.adapters import plans, reader, state
from planner.domain.planning import PlanOutput, compute_plan, order_suggestions, status_counts
from planner.domain.settings import KEYS
from platform_kit.clock import Clock
from platform_kit.db.uow import UnitOfWork
from restock_contracts.batching import split_by_bytes
from restock_contracts.planning.v1 import EffectiveSettings, EffectiveSettingsChanged, PlanUpdated
from restock_contracts.topics import PLANS, SETTINGS

log = logging.getLogger(__name__)
PRODUCER = "planner"
_NON_CONTRACT = {"safety_stock_override_days"}


@dataclass
class ReplanReport:
    """What one re-plan did, with timings (seconds) for the benchmark."""

    plan_version: int = 0
    rows: int = 0
    settings_published: int = 0
    timings: dict[str, float] = field(default_factory=dict)


def _effective_record(variant_id: str, location_id: str, doc: dict[str, Any]) -> EffectiveSettings:
    values = {k: doc[k] for k in KEYS if k not in _NON_CONTRACT}
    values["backtest_horizon_days"] = doc["backtest_horizon_days"]
    return EffectiveSettings.model_validate(
        {"variant_id": variant_id, "location_id": location_id, **values}
    )


async def replan_tenant(
    uow_factory: Callable[[], UnitOfWork], clock: Clock, tenant_id: uuid.UUID
) -> ReplanReport:
    """Compute and store a new plan version for one tenant (one transaction).

    The numerics run in a worker thread so the API keeps answering during a re-plan.
    """
    report = ReplanReport()
    t0 = time.perf_counter()
    async with uow_factory() as uow:
        session = uow.session
        trigger, claimed_at = await state.claim(session, tenant_id)
        tz, source = await reader.tenant_info(session, tenant_id)
        today = clock.today(tz)
        snapshot = await reader.load_snapshot(session, tenant_id, today, source)
        report.timings["read_s"] = time.perf_counter() - t0
        t1 = time.perf_counter()
        try:
            out = await asyncio.to_thread(compute_plan, snapshot)
        except ValueError as exc:
            log.warning("re-plan of %s failed: %s", tenant_id, exc)
            await state.finish(session, tenant_id, claimed_at, {"error": str(exc)[:2000]})
            await uow.commit()
            return report
        report.timings["compute_s"] = time.perf_counter() - t1
        t2 = time.perf_counter()
        meta = await plans.plan_meta(session, tenant_id)
        version = (meta.plan_version if meta else 0) + 1
        settings_version = meta.settings_version if meta else 1
        old = await plans.old_hashes(session, tenant_id)
        await plans.replace_rows(session, tenant_id, version, out.columns)
        report.settings_published = _publish(uow, tenant_id, out, old, settings_version)
        plan_id = uuid.uuid4()
        _publish_plan(uow, tenant_id, out, plan_id, version, today, trigger)
        await state.finish(
            session,
            tenant_id,
            claimed_at,
            {
                "plan_version": version,
                "plan_id": plan_id,
                "as_of": today,
                "computed_at": clock.now(),
                "error": None,
            },
        )
        await uow.commit()
        report.timings["write_s"] = time.perf_counter() - t2
    report.plan_version, report.rows = version, out.n
    report.timings["total_s"] = time.perf_counter() - t0
    return report


def _publish(
    uow: UnitOfWork,
    tenant_id: uuid.UUID,
    out: PlanOutput,
    old: dict[tuple[str, str], str],
    settings_version: int,
) -> int:
    """Publish EffectiveSettingsChanged for rows whose effective settings changed."""
    cols = out.columns
    changed = [
        _effective_record(v, loc, doc)
        for v, loc, doc, h in zip(
            cols["variant_id"],
            cols["location_id"],
            cols["settings"],
            cols["settings_hash"],
            strict=True,
        )
        if old.get((v, loc)) != h
    ]
    for batch in split_by_bytes(changed):
        event = EffectiveSettingsChanged(settings_version=settings_version, records=batch)
        uow.publish(SETTINGS.envelope(event, tenant_id=tenant_id, producer=PRODUCER), SETTINGS.name)
    return len(changed)


def _publish_plan(
    uow: UnitOfWork,
    tenant_id: uuid.UUID,
    out: PlanOutput,
    plan_id: uuid.UUID,
    version: int,
    today: Any,
    trigger: str,
) -> None:
    buy, make = order_suggestions(out)
    counts = status_counts(out)
    event = PlanUpdated(
        plan_id=plan_id,
        plan_version=version,
        as_of=today,
        trigger=trigger,
        sku_location_count=out.n,
        order_suggestion_count=buy,
        make_suggestion_count=make,
        stockout_risk_count=counts.get("understocked", 0),
        overstock_count=counts.get("overstocked", 0),
    )
    uow.publish(PLANS.envelope(event, tenant_id=tenant_id, producer=PRODUCER), PLANS.name)
