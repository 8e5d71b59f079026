"""Across services: an event written through api-gateway's outbox is consumed once by the
planner through the real broker, and the planner's HTTP side only answers verified
internal tokens, scoped to their tenant."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from api_gateway.app import build_spec as gateway_spec
from api_gateway.handlers import create_tenant
from api_gateway.settings import Settings as GatewaySettings
from planner.app import build_spec as planner_spec
from planner.settings import Settings as PlannerSettings
from platform_kit.service import create_app
from platform_kit.testing.servers import serve_app

pytestmark = pytest.mark.asyncio


def _settings(cls: Any, pg_url: str, bootstrap: str, keys_dir: Path, db: str) -> Any:
    return cls(
        database_url=pg_url,
        kafka_bootstrap_servers=bootstrap,
        keys_dir=keys_dir,
        database_name=db,
        consumer_session_timeout_ms=2000,
        log_json=False,
    )


async def test_tenant_event_crosses_services_once_and_http_is_token_scoped(
    pg_url: str, kafka_bootstrap: str, keys_dir: Path, mint_token: Any, unique_name: str
) -> None:
    gateway = create_app(
        gateway_spec(
            _settings(GatewaySettings, pg_url, kafka_bootstrap, keys_dir, unique_name + "_gw")
        )
    )
    planner = create_app(
        planner_spec(
            _settings(PlannerSettings, pg_url, kafka_bootstrap, keys_dir, unique_name + "_pl")
        )
    )
    async with (
        serve_app(gateway),
        serve_app(planner) as planner_url,
        httpx.AsyncClient(base_url=planner_url) as http,
    ):
        async with gateway.state.runtime.uow() as uow:
            tenant_id, created = await create_tenant(
                uow,
                name="Cross Co",
                time_zone="Europe/Tallinn",
                base_currency="EUR",
                primary_source="katana",
            )
        assert created
        token = mint_token(tenant_id, ["viewer"])
        response = None
        for _ in range(300):
            response = await http.get("/v1/tenant", headers={"Authorization": f"Bearer {token}"})
            if response.status_code == 200:
                break
            await asyncio.sleep(0.1)
        assert response is not None and response.status_code == 200, response.text
        assert response.json()["name"] == "Cross Co"
        assert response.headers["server-timing"].startswith("app;dur=")
        assert response.json()["time_zone"] == "Europe/Tallinn"

        runtime = planner.state.runtime
        async with runtime.uow() as uow:
            inbox = runtime.db.tables["inbox"]
            rows = (
                await uow.session.execute(
                    select(func.count()).select_from(inbox).where(inbox.c.tenant_id == tenant_id)
                )
            ).scalar_one()
        assert rows == 1

        missing = await http.get("/v1/tenant")
        assert missing.status_code == 401
        assert missing.headers["content-type"].startswith("application/problem+json")
        other = await http.get(
            "/v1/tenant",
            headers={"Authorization": f"Bearer {mint_token(uuid.uuid4(), ['viewer'])}"},
        )
        assert other.status_code == 404, "another tenant's token never reads this tenant"
        tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
        assert (
            await http.get("/v1/tenant", headers={"Authorization": f"Bearer {tampered}"})
        ).status_code == 401
        expired = mint_token(tenant_id, ["viewer"], ttl_s=-10)
        assert (
            await http.get("/v1/tenant", headers={"Authorization": f"Bearer {expired}"})
        ).status_code == 401
        assert (await http.get("/healthz")).status_code == 200
        ready = await http.get("/readyz")
        assert ready.status_code == 200 and ready.json()["checks"] == {
            "database": True,
            "consumer": True,
        }
        metrics = (await http.get("/metrics")).text
        assert (
            f'restock_consumer_records_total{{consumer="planner.{unique_name}_pl",outcome="processed",topic="tenancy.tenants.v1"}}'
            in metrics
        )
        assert "restock_http_requests_total" in metrics
