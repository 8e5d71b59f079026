"""Wait until a tenant's pipeline is idle before the chaos run drafts or compares.

The journey's own settle check only sees finished forecast runs and plan versions, but the
pipeline has a feedback loop it cannot see: a re-plan publishes changed effective
settings (backtest horizon from the lead time), the forecaster marks those SKUs dirty,
recomputes after its debounce and the planner re-plans again. A run commits its
``forecast_run`` row only when it has finished, so between a plan and the next forecast
run nothing visible changes for many seconds. Drafting in that gap takes the order
quantities from a plan that is about to change, and the sent quantities then differ
between the reference and the faulty tenant (they end in ``on_order``). This module reads
the services' own databases, as the checks do, and calls the pipeline idle only when no
service has unpublished outbox events, the forecaster has no dirty SKU or full-recompute
request for the tenant and the planner has no pending re-plan, continuously for
``quiet_s`` (which covers an event in flight on the broker).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from chaos_checks import DATABASES, _db_url
from journey import Journey


async def _pending(server_url: str, tenant_id: str) -> list[str]:
    """What is still to do for the tenant (empty when idle)."""
    import asyncpg

    out: list[str] = []
    for database in DATABASES:
        conn = await asyncpg.connect(_db_url(server_url, database))
        try:
            unpublished = await conn.fetchval(
                "SELECT count(*) FROM outbox WHERE published_at IS NULL"
            )
            if unpublished:
                out.append(f"{database}: {unpublished} unpublished events")
            if database == "restock_forecaster":
                dirty = await conn.fetchval(
                    "SELECT count(*) FROM dirty_sku WHERE tenant_id = $1::uuid", tenant_id
                )
                full = await conn.fetchval(
                    "SELECT count(*) FROM forecast_state WHERE tenant_id = $1::uuid"
                    " AND full_requested_at IS NOT NULL",
                    tenant_id,
                )
                if dirty or full:
                    out.append(f"forecaster: {dirty} dirty SKUs, full recompute {bool(full)}")
            if database == "restock_planner":
                replan = await conn.fetchval(
                    "SELECT count(*) FROM plan_state WHERE tenant_id = $1::uuid AND dirty",
                    tenant_id,
                )
                if replan:
                    out.append("planner: re-plan pending")
        finally:
            await conn.close()
    return out


def pending(server_url: str, tenant_id: str) -> list[str]:
    """Outbox events, dirty forecasts and re-plans still pending for the tenant."""
    try:
        return asyncio.run(_pending(server_url, tenant_id))
    except (OSError, ConnectionError) as exc:
        return [f"database unreachable: {exc}"]
    except Exception as exc:  # asyncpg errors while Postgres restarts
        if type(exc).__module__.startswith("asyncpg"):
            return [f"database error: {exc}"]
        raise


def wait_idle(journey: Journey, server_url: str, quiet_s: float = 5.0) -> dict[str, Any]:
    """Block until the tenant's pipeline has been idle (nothing pending, same plan version
    and forecast runs) for ``quiet_s``; returns the dashboard."""
    urls, tenant_id = journey.urls, journey.tenant.tenant_id
    seen: dict[str, Any] = {"key": None, "since": time.monotonic()}

    def idle() -> dict[str, Any] | None:
        runs = journey.call("GET", f"{urls.forecaster}/forecast-runs?limit=50").json()
        dash = journey.call("GET", f"{urls.planner}/v1/plan/dashboard").json()
        todo = pending(server_url, tenant_id)
        key = (len(runs), runs[0]["run_id"] if runs else None, dash["plan_version"], bool(todo))
        if todo or key != seen["key"]:
            seen.update(key=key, since=time.monotonic())
            return None
        return dash if time.monotonic() - seen["since"] >= quiet_s else None

    return dict(journey.until("an idle pipeline", idle))
