"""The kit's metrics after real traffic between two served services: api-gateway's outbox
publishes a TenantCreated, the planner consumes it, answers HTTP and re-plans on request.
HTTP requests and latency by route template and status, consumer records and lag per
topic, outbox published / backlog / oldest age, plan recompute duration; no label
carries a tenant id or a raw path."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from ops_support import Samples, metric_value, parse_metrics

from api_gateway.app import build_spec as gateway_spec
from api_gateway.handlers import create_tenant
from api_gateway.settings import Settings as GatewaySettings
from planner.app import build_spec as planner_spec
from planner.settings import Settings as PlannerSettings
from platform_kit.service import create_app
from platform_kit.testing.servers import serve_app

pytestmark = pytest.mark.asyncio
TENANTS = "tenancy.tenants.v1"


def _settings(cls: Any, pg_url: str, bootstrap: str, keys_dir: Path, db: str, **over: Any) -> Any:
    return cls(
        database_url=pg_url,
        kafka_bootstrap_servers=bootstrap,
        keys_dir=keys_dir,
        database_name=db,
        consumer_session_timeout_ms=2000,
        log_json=False,
        **over,
    )


async def _scrape_until(http: httpx.AsyncClient, check: Any, limit_s: float = 60) -> Samples:
    deadline = asyncio.get_running_loop().time() + limit_s
    while True:
        samples = parse_metrics((await http.get("/metrics")).text)
        if check(samples) or asyncio.get_running_loop().time() > deadline:
            return samples
        await asyncio.sleep(0.3)


async def test_http_consumer_and_outbox_metrics_after_real_traffic(
    pg_url: str, kafka_bootstrap: str, keys_dir: Path, mint_token: Any, unique_name: str
) -> None:
    gateway = create_app(
        gateway_spec(_settings(GatewaySettings, pg_url, kafka_bootstrap, keys_dir, unique_name + "_gw"))
    )  # fmt: skip
    planner = create_app(
        planner_spec(_settings(PlannerSettings, pg_url, kafka_bootstrap, keys_dir, unique_name + "_pl", replan_quiet_s=0.1, replan_poll_s=0.2))
    )  # fmt: skip
    stray = f"/no/such/{uuid.uuid4()}"
    async with (
        serve_app(gateway) as gateway_url,
        serve_app(planner) as planner_url,
        httpx.AsyncClient(base_url=planner_url, timeout=10) as http,
        httpx.AsyncClient(base_url=gateway_url, timeout=10) as gw_http,
    ):
        async with gateway.state.runtime.uow() as uow:
            tenant_id, _ = await create_tenant(
                uow, name="Ops Co", time_zone="UTC", base_currency="EUR", primary_source="katana"
            )
        headers = {"Authorization": f"Bearer {mint_token(tenant_id, ['viewer'])}"}
        for _ in range(300):
            if (await http.get("/v1/tenant", headers=headers)).status_code == 200:
                break
            await asyncio.sleep(0.1)
        assert (await http.get("/v1/tenant")).status_code == 401
        # The registry is per process: earlier tests in this worker may have planned already.
        recomputes_before = (
            metric_value(
                parse_metrics((await http.get("/metrics")).text),
                "restock_plan_recompute_duration_seconds_count",
            )
            or 0
        )
        plan_role = {"Authorization": f"Bearer {mint_token(tenant_id, ['planner'])}"}
        replan = await http.post("/v1/plan/recompute", headers=plan_role)
        assert replan.status_code == 202, replan.text
        assert (await http.get(stray)).status_code == 404
        consumer = f"planner.{unique_name}_pl"
        planned = await _scrape_until(
            http,
            lambda s: metric_value(s, "restock_consumer_lag_records", consumer=consumer, topic=TENANTS)
            == 0
            and (metric_value(s, "restock_plan_recompute_duration_seconds_count") or 0)
            >= recomputes_before + 1,
        )  # fmt: skip
        planner_text = (await http.get("/metrics")).text
        published = await _scrape_until(
            gw_http,
            lambda s: (metric_value(s, "restock_outbox_published_total", topic=TENANTS) or 0) >= 1
            and metric_value(s, "restock_outbox_pending_rows") == 0,
        )  # fmt: skip
        gateway_text = (await gw_http.get("/metrics")).text

    # At least the requested recompute; a debounced re-plan from the tenant's provisioning may
    # land in the same window, so the exact count depends on timing.
    assert (
        metric_value(planned, "restock_plan_recompute_duration_seconds_count") or 0
    ) >= recomputes_before + 1
    records = "restock_consumer_records_total"
    assert (
        metric_value(planned, records, consumer=consumer, topic=TENANTS, outcome="processed") or 0
    ) >= 1
    assert (
        metric_value(planned, "restock_consumer_lag_records", consumer=consumer, topic=TENANTS) == 0
    )
    assert (
        metric_value(planned, "restock_consumer_batch_duration_seconds_count", consumer=consumer)
        or 0
    ) >= 1
    requests = "restock_http_requests_total"
    assert (
        metric_value(planned, requests, method="GET", route="/v1/tenant", status="200") or 0
    ) >= 1
    assert metric_value(planned, requests, method="GET", route="/v1/tenant", status="401") == 1
    assert (
        metric_value(planned, "restock_http_request_duration_seconds_count", route="/v1/tenant")
        or 0
    ) >= 2
    routes = {dict(ls).get("route") for (n, ls), _ in planned.items() if n == requests}
    assert stray not in routes and not any(r and "no/such" in r for r in routes), routes
    assert (metric_value(published, "restock_outbox_published_total", topic=TENANTS) or 0) >= 1
    assert metric_value(published, "restock_outbox_pending_rows") == 0
    assert metric_value(published, "restock_outbox_oldest_pending_age_seconds") == 0
    for text in (planner_text, gateway_text):
        assert str(tenant_id) not in text, "tenant ids never become label values"
