"""Is a tenant's pipeline idle? Read from the services' own databases.

The HTTP APIs only show finished forecast runs and plan versions, but the pipeline has a
feedback loop they cannot show: a re-plan publishes changed effective settings (backtest
horizon from the lead time), the forecaster marks those SKUs dirty, recomputes after its
debounce and the planner re-plans again. A run commits its ``forecast_run`` row only when it
has finished, so between a plan and the next forecast run nothing visible changes for many
seconds. Drafting purchase orders in that gap takes the order quantities from a plan that
is about to change. The journey therefore calls a tenant settled only when, besides an
unchanged plan, no service has unpublished outbox events, the forecaster has no dirty SKU
or full-recompute request for the tenant and the planner has no pending re-plan.
"""

from __future__ import annotations

import asyncio

DATABASES = (
    "restock_api_gateway",
    "restock_connector_katana",
    "restock_connector_xero",
    "restock_forecaster",
    "restock_planner",
    "restock_po_gateway",
)


def db_url(server_url: str, database: str) -> str:
    """``server_url`` (any database on the server) pointed at ``database``."""
    return server_url.rsplit("/", 1)[0] + "/" + database


async def _pending(server_url: str, tenant_id: str) -> list[str]:
    import asyncpg

    out: list[str] = []
    for database in DATABASES:
        conn = await asyncpg.connect(db_url(server_url, database))
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
    """What is still to do for the tenant: outbox events (any tenant's: the outbox is
    shared), dirty forecasts and re-plans; empty when idle. An unreachable or restarting
    Postgres counts as not idle."""
    try:
        return asyncio.run(_pending(server_url, tenant_id))
    except (OSError, ConnectionError) as exc:
        return [f"database unreachable: {exc}"]
    except Exception as exc:  # asyncpg errors while Postgres restarts
        if type(exc).__module__.startswith("asyncpg"):
            return [f"database error: {exc}"]
        raise
