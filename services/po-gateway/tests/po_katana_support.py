"""Helpers for po-gateway's Katana tests: a seeded Katana sandbox, connector-katana
(served in process or as a process to kill), the planner and po-gateway on the broker."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer
from po_support import auth, eventually, service_process

from connector_katana.app import build_spec as katana_spec
from connector_katana.settings import Settings as KatanaSettings
from katana_sandbox.testing import RunningSandbox, running_sandbox
from planner.app import build_spec as planner_spec
from planner.settings import Settings as PlannerSettings
from platform_kit.service import create_app
from platform_kit.testing.settings import service_test_settings
from po_gateway.app import build_spec as gateway_spec
from po_gateway.settings import Settings as GatewaySettings
from restock_contracts.forecasting.v1 import ForecastsPublished, SkuForecast
from restock_contracts.tenancy.v1 import TenantCreated
from restock_contracts.topics import FORECASTS, TENANTS
from restock_demodata import DatasetSpec, generate
from restock_forecasting.grid import QUANTILE_HORIZONS_DAYS, QUANTILE_LEVELS

KEY = "po-katana-test-key-0001"
SPEC = DatasetSpec(seed=11, skus=20, locations=1, years=0.25)
TENANT = {
    "name": "Kiwi Outdoor",
    "time_zone": "Pacific/Auckland",
    "base_currency": "NZD",
    "primary_source": "katana",
}


@contextlib.contextmanager
def katana() -> Iterator[RunningSandbox]:
    """A Katana sandbox with one account (60 requests per 0.5 s)."""
    with running_sandbox(
        accounts={KEY: SPEC}, dataset={KEY: generate(SPEC)}, rate_limit=60, rate_window_s=0.5
    ) as sb:
        yield sb


@dataclass(frozen=True)
class Pick:
    """Two purchased variants of one foreign-currency supplier, one bought in a pack."""

    supplier_id: str
    currency: str
    location_id: str
    variants: dict[str, float]
    """variant id → stock units per purchase unit."""


def pick(sb: RunningSandbox) -> Pick:
    with sb.client() as kc:
        suppliers = {s["id"]: s for s in kc.get("/suppliers", params={"limit": 250}).json()["data"]}
        items = [
            *kc.get("/products", params={"limit": 250}).json()["data"],
            *kc.get("/materials", params={"limit": 250}).json()["data"],
        ]
        location = kc.get("/locations").json()["data"][0]["id"]
    by_supplier: dict[int, dict[str, float]] = {}
    for item in items:
        buyable = item.get("type") == "material" or (
            item.get("is_purchasable") and not item.get("is_producible")
        )
        if not buyable or item.get("default_supplier_id") is None:
            continue
        variant = item["variants"][0]
        rate = float(item.get("purchase_uom_conversion_rate") or 1)
        by_supplier.setdefault(item["default_supplier_id"], {})[str(variant["id"])] = rate
    for supplier_id, variants in sorted(by_supplier.items()):
        packed = [v for v, r in variants.items() if r != 1]
        single = [v for v, r in variants.items() if r == 1]
        if suppliers[supplier_id]["currency"] != TENANT["base_currency"] and packed and single:
            chosen = {packed[0]: variants[packed[0]], single[0]: 1.0}
            return Pick(str(supplier_id), suppliers[supplier_id]["currency"], str(location), chosen)
    raise AssertionError(
        f"no foreign supplier with a pack-bought and a unit-bought item: {by_supplier}"
    )


def _common(pg_url: str, kafka: str, keys_dir: Path, db: str) -> dict[str, Any]:
    return service_test_settings(pg_url, db, keys_dir, kafka=kafka)


def katana_settings(
    sb: RunningSandbox, pg_url: str, kafka: str, keys_dir: Path, db: str, **extra: Any
) -> KatanaSettings:
    values = {
        **_common(pg_url, kafka, keys_dir, db),
        "katana_base_url": sb.base_url,
        "rate_limit": 60,
        "rate_window_s": 0.5,
        "rate_headroom": 8,
        "rate_po_reserve": 4,
        "scheduler_enabled": False,
        "job_poll_s": 0.1,
        "po_worker_poll_s": 0.1,
        "http_timeout_s": 5.0,
        "page_limit": 100,
        **extra,
    }
    return KatanaSettings(**values)


def katana_app(settings: KatanaSettings) -> Any:
    """connector-katana served in this process."""
    return create_app(katana_spec(settings))


KATANA_PROCESS_SETTINGS = [
    "database_name",
    "katana_base_url",
    "rate_limit",
    "rate_window_s",
    "rate_headroom",
    "rate_po_reserve",
    "scheduler_enabled",
    "job_poll_s",
    "po_worker_poll_s",
    "po_lease_s",
    "http_timeout_s",
    "consumer_session_timeout_ms",
    "relay_poll_interval_s",
    "log_json",
]


def katana_process(settings: KatanaSettings) -> Any:
    """connector-katana as a real process (to SIGKILL); yields its URL and the process."""
    return service_process(
        "connector_katana", "CONNECTOR_KATANA_", settings, KATANA_PROCESS_SETTINGS
    )


def planner_app(pg_url: str, kafka: str, keys_dir: Path, db: str) -> Any:
    values = {**_common(pg_url, kafka, keys_dir, db), "replan_poll_s": 0.2, "replan_quiet_s": 0.5}
    return create_app(planner_spec(PlannerSettings(**values)))


def gateway_app(pg_url: str, kafka: str, keys_dir: Path, db: str, planner_url: str) -> Any:
    values = {**_common(pg_url, kafka, keys_dir, db), "planner_url": planner_url}
    return create_app(gateway_spec(GatewaySettings(**values)))


def _forecast(variant: str, location: str, rate: float, as_of: date) -> SkuForecast:
    hz = [int(h) for h in QUANTILE_HORIZONS_DAYS]
    return SkuForecast(
        variant_id=variant,
        location_id=location,
        forecast_run_id=uuid.UUID(int=1),
        as_of=as_of,
        model="naive",
        demand_class="smooth",
        granularity="D",
        distribution="normal",
        mean_daily=[rate] * 365,
        quantile_horizons_days=hz,
        quantile_levels=[float(x) for x in QUANTILE_LEVELS],
        cumulative_quantiles=[[rate * h] * len(QUANTILE_LEVELS) for h in hz],
    )


async def publish_tenant_and_forecasts(
    kafka: str, tenant: uuid.UUID, chosen: Pick, as_of: date, rate: float = 40.0
) -> None:
    """Play identity (the tenant) and the forecaster (a high demand for the picked items)."""
    producer = AIOKafkaProducer(bootstrap_servers=kafka)
    await producer.start()
    try:
        created = TENANTS.envelope(
            TenantCreated(tenant_id=tenant, **TENANT), tenant_id=tenant, producer="test"
        )
        await producer.send_and_wait(TENANTS.name, created.to_json_bytes(), key=created.key)
        forecasts = ForecastsPublished(
            forecast_run_id=uuid.UUID(int=1),
            batch_seq=1,
            forecasts=[_forecast(v, chosen.location_id, rate, as_of) for v in chosen.variants],
        )
        env = FORECASTS.envelope(forecasts, tenant_id=tenant, producer="test")
        await producer.send_and_wait(FORECASTS.name, env.to_json_bytes(), key=env.key)
    finally:
        await producer.stop()


async def connect_and_load(cx: httpx.AsyncClient, token: str) -> str:
    """Connect the sandbox account and run the first (full) load; returns the connection."""
    made = await cx.post("/connections", json={"api_key": KEY}, headers=auth(token))
    assert made.status_code == 201, made.text
    connection_id = str(made.json()["connection_id"])
    await load(cx, token, connection_id, None)
    return connection_id


async def load(
    cx: httpx.AsyncClient, token: str, connection_id: str, entities: Any
) -> dict[str, Any]:
    """Run an incremental load to the end."""
    body: dict[str, Any] = {"mode": "incremental", **({"entities": entities} if entities else {})}
    queued = await cx.post(f"/connections/{connection_id}/loads", json=body, headers=auth(token))
    assert queued.status_code == 202, queued.text

    async def probe() -> Any:
        return (await cx.get(f"/loads/{queued.json()['job_id']}", headers=auth(token))).json()

    job = await eventually(probe, lambda j: j["status"] not in ("queued", "running"), 120)
    assert job["status"] == "succeeded", job
    return dict(job)


async def plan_row(http: httpx.AsyncClient, token: str, variant: str, location: str) -> Any:
    return (await http.get(f"/v1/plan/rows/{variant}/{location}", headers=auth(token))).json()
