"""Helpers for po-gateway's integration tests: served planner with a seeded plan, the
served po-gateway, and a bus client that plays the connector."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from planner.app import build_spec as planner_spec
from planner.handlers import ingest
from planner.settings import Settings as PlannerSettings
from platform_kit.infra import free_port
from platform_kit.service import create_app
from platform_kit.tenancy import upsert_tenant
from platform_kit.testing.servers import serve_app
from platform_kit.testing.settings import service_test_settings
from po_gateway.app import build_spec
from po_gateway.settings import Settings
from restock_contracts.catalog.v1 import SkuRecord, SkusChanged, SupplierRecord, SuppliersChanged
from restock_contracts.forecasting.v1 import ForecastsPublished, SkuForecast
from restock_contracts.inventory.v1 import StockLevelRecord, StockLevelsChanged
from restock_contracts.sync.v1 import ConnectionEstablished
from restock_contracts.tenancy.v1 import TenantCreated
from restock_contracts.topics import PO_SUBMISSION_REQUESTS, SYNC
from restock_forecasting.grid import QUANTILE_HORIZONS_DAYS, QUANTILE_LEVELS

NOW = "2026-06-01T06:00:00+00:00"
TODAY = date(2026, 6, 1)
AT = datetime(2026, 5, 31, 12, tzinfo=UTC)
RUN = uuid.UUID("00000000-0000-0000-0000-0000000000f1")


def client(base_url: str) -> httpx.AsyncClient:
    """An HTTP client for a served app: long timeout (the box is shared) and idle
    connections dropped after 1 s, before uvicorn's 5 s keep-alive closes them under a
    request."""
    return httpx.AsyncClient(
        base_url=base_url, timeout=60, limits=httpx.Limits(keepalive_expiry=1.0)
    )


def auth(token: str, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **extra}


def _common(pg_url: str, keys_dir: Path, db: str) -> dict[str, Any]:
    return service_test_settings(pg_url, db, keys_dir, now=NOW)


def planner_app(pg_url: str, keys_dir: Path, db: str) -> Any:
    """The planner without a broker (plan rows come from its ingest use cases)."""
    values = {**_common(pg_url, keys_dir, db), "replan_poll_s": 0.2, "replan_quiet_s": 0.3}
    return create_app(planner_spec(PlannerSettings.model_validate(values)))


def gateway_app(
    pg_url: str, kafka: str, keys_dir: Path, db: str, planner_url: str, **overrides: Any
) -> Any:
    values = {
        **_common(pg_url, keys_dir, db),
        "KAFKA_BOOTSTRAP_SERVERS": kafka,
        "planner_url": planner_url,
        **overrides,
    }
    return create_app(build_spec(Settings.model_validate(values)))


def _meta() -> dict[str, Any]:
    return {
        "source": "katana",
        "connection_id": RUN,
        "sync_id": None,
        "mode": "webhook",
        "batch_seq": 1,
    }


def _sku(v: str, supplier: str | None, code: str | None = None) -> SkuRecord:
    return SkuRecord(
        product_id="p",
        variant_id=v,
        sku=code or f"SKU-{v}",
        name=f"Thing {v}",
        category="tools",
        uom="pcs",
        purchase_uom="box",
        purchase_uom_conversion_rate=Decimal(10),
        is_purchased=True,
        is_manufactured=False,
        is_sold=True,
        cost=Decimal(2),
        price=Decimal(5),
        default_supplier_id=supplier,
        lead_time_days=21,
        updated_at=AT,
    )


def _forecast(v: str, location: str, rate: float) -> SkuForecast:
    hz = list(QUANTILE_HORIZONS_DAYS)
    return SkuForecast(
        variant_id=v,
        location_id=location,
        forecast_run_id=RUN,
        as_of=AT.date(),
        model="naive",
        demand_class="smooth",
        granularity="D",
        distribution="normal",
        mean_daily=[rate] * 365,
        quantile_horizons_days=[int(h) for h in hz],
        quantile_levels=[float(x) for x in QUANTILE_LEVELS],
        cumulative_quantiles=[[rate * h] * len(QUANTILE_LEVELS) for h in hz],
    )


TENANT_EVENT = {
    "name": "PO Co",
    "time_zone": "Europe/Tallinn",
    "base_currency": "EUR",
    "primary_source": "katana",
}
PLAN = [  # variant, supplier, location, on hand, daily demand
    ("v1", "s1", "wh", 10, 5.0),
    ("v2", "s1", "wh", 0, 2.0),
    ("v1", "s1", "shop", 0, 1.0),
    ("v4", "s2", "wh", 0, 3.0),
    ("v3", None, "wh", 0, 2.0),
]


SUPPLIERS = [("s1", "EUR"), ("s2", "USD")]


@dataclass(frozen=True)
class Scenario:
    """What the planner is seeded with and the tenant's attributes."""

    plan: list[tuple[str, str | None, str, int, float]] = field(default_factory=lambda: PLAN)
    suppliers: list[tuple[str, str]] = field(default_factory=lambda: SUPPLIERS)
    tenant: dict[str, Any] = field(default_factory=lambda: TENANT_EVENT)
    codes: dict[str, str] = field(default_factory=dict)
    """variant id → SKU code (default ``SKU-<variant>``)."""


async def seed_planner(runtime: Any, tenant: uuid.UUID, sc: Scenario) -> None:
    """By default suppliers s1 (EUR) and s2 (USD), four understocked SKUs, one of them
    without a supplier."""
    suppliers = [
        SupplierRecord(supplier_id=s, name=f"Supplier {s}", currency=c, updated_at=AT)
        for s, c in sc.suppliers
    ]
    skus = {v: _sku(v, s, sc.codes.get(v)) for v, s, *_ in sc.plan}
    stock = [
        StockLevelRecord(
            variant_id=v,
            location_id=loc,
            on_hand=Decimal(q),
            committed=Decimal(0),
            as_of=AT,
            updated_at=AT,
        )
        for v, _s, loc, q, _r in sc.plan
    ]
    async with runtime.uow() as uow:
        await ingest.apply_tenant(uow, tenant, TenantCreated(tenant_id=tenant, **sc.tenant))
        await ingest.apply_records(
            uow, "suppliers", tenant, SuppliersChanged(**_meta(), records=suppliers)
        )
        await ingest.apply_records(
            uow, "skus", tenant, SkusChanged(**_meta(), records=list(skus.values()))
        )
        await ingest.apply_records(
            uow, "stock_levels", tenant, StockLevelsChanged(**_meta(), records=stock)
        )
        await ingest.apply_forecasts(
            uow,
            tenant,
            ForecastsPublished(
                forecast_run_id=RUN,
                batch_seq=1,
                forecasts=[_forecast(v, loc, r) for v, _s, loc, _q, r in sc.plan],
            ),
        )
        await uow.commit()


async def provision(runtime: Any, tenant: uuid.UUID, attributes: dict[str, Any]) -> None:
    """The tenant row po-gateway would get from ``tenancy.tenants.v1``."""
    async with runtime.uow() as uow:
        await upsert_tenant(uow, TenantCreated(tenant_id=tenant, **attributes))
        await uow.commit()


async def eventually(
    probe: Callable[[], Awaitable[Any]], ok: Callable[[Any], bool], timeout_s: float = 30.0
) -> Any:
    """Poll ``probe`` until ``ok(result)``; fail with the last result."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        result = await probe()
        if ok(result):
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not reached; last: {result!r}")
        await asyncio.sleep(0.1)


async def wait_plan(http: httpx.AsyncClient, token: str) -> dict[str, Any]:
    async def probe() -> Any:
        return (await http.get("/v1/plan/purchase-rows", headers=auth(token))).json()

    return await eventually(probe, lambda b: b.get("plan_version", 0) > 0 and b["items"], 60)


class Bus:
    """Plays the connector: reads submission requests, publishes results and connections."""

    def __init__(self, bootstrap: str) -> None:
        self.producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
        self.consumer = AIOKafkaConsumer(
            PO_SUBMISSION_REQUESTS.name,
            bootstrap_servers=bootstrap,
            group_id=None,
            auto_offset_reset="earliest",
            metadata_max_age_ms=1000,
        )
        self.requests: list[Any] = []

    async def publish(self, topic: Any, envelope: Any) -> None:
        await self.producer.send_and_wait(topic.name, envelope.to_json_bytes(), key=envelope.key)

    async def connect(self, tenant: uuid.UUID, source: str = "katana") -> uuid.UUID:
        connection_id = uuid.uuid4()
        payload = ConnectionEstablished(
            connection_id=connection_id,
            source=source,
            organisation_name="Org",  # type: ignore[arg-type]
            base_currency="EUR",
            time_zone="Europe/Tallinn",
            provider_tenant_id=None,
        )
        await self.publish(SYNC, SYNC.envelope(payload, tenant_id=tenant, producer="test"))
        return connection_id

    async def requests_for(self, tenant: uuid.UUID, count: int, settle_s: float = 1.5) -> list[Any]:
        """Requests of ``tenant`` once ``count`` arrived and nothing more came for a while."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        quiet_until = None
        while True:
            batches = await self.consumer.getmany(timeout_ms=200)
            for messages in batches.values():
                self.requests.extend(PO_SUBMISSION_REQUESTS.decode(m.value) for m in messages)
            mine = [e for e in self.requests if e.tenant_id == tenant]
            if len(mine) >= count:
                quiet_until = quiet_until or loop.time() + settle_s
                if loop.time() >= quiet_until:
                    return mine
            if loop.time() > deadline:
                return mine


@contextlib.asynccontextmanager
async def running(
    pg_url: str,
    kafka: str,
    keys_dir: Path,
    name: str,
    tenant: uuid.UUID,
    token: str,
    sc: Scenario | None = None,
    **gateway: Any,
) -> AsyncIterator[tuple[Any, httpx.AsyncClient, Bus]]:
    """Planner (seeded, planned) and po-gateway (settings ``gateway``) served; yields
    (gateway app, client, bus)."""
    sc = sc or Scenario()
    planner = planner_app(pg_url, keys_dir, f"{name}_pl")
    async with serve_app(planner) as planner_url, client(planner_url) as ph:
        await seed_planner(planner.state.runtime, tenant, sc)
        await wait_plan(ph, token)
        app = gateway_app(pg_url, kafka, keys_dir, f"{name}_po", planner_url, **gateway)
        bus = Bus(kafka)
        await bus.producer.start()
        await bus.consumer.start()
        try:
            async with serve_app(app) as url, client(url) as http:
                await provision(app.state.runtime, tenant, sc.tenant)
                yield app, http, bus
        finally:
            await bus.producer.stop()
            await bus.consumer.stop()


@contextlib.asynccontextmanager
async def service_process(
    module: str, prefix: str, settings: Any, names: list[str]
) -> AsyncIterator[tuple[str, subprocess.Popen[bytes]]]:
    """``python -m <module> api`` as a real process (to SIGKILL), configured with the
    kit's globals and ``names`` of ``settings`` (as ``<prefix><NAME>``); yields its URL
    and the process once it is ready."""
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": settings.database_url,
            "KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
            "RESTOCK_KEYS_DIR": str(settings.keys_dir),
        }
    )
    for name in names:
        env[f"{prefix}{name.upper()}"] = str(getattr(settings, name))
    port = free_port()
    proc = subprocess.Popen(  # noqa: ASYNC220 - a real process to kill
        [sys.executable, "-m", module, "api", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=url) as probe:
            for _ in range(600):
                with contextlib.suppress(httpx.TransportError):
                    if (await probe.get("/readyz")).status_code == 200:
                        break
                await asyncio.sleep(0.1)
        yield url, proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)
