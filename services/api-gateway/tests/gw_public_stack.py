"""The whole public API for a test module: the Katana sandbox, the five services and the
gateway pointed at them (real Postgres and broker), with two tenants. Tenant B owns
distinctive data in several services (plan rows, a draft order, supplier settings, a
forecast override, a Katana connection and load, an API key, a partner client), all made
through the public API except the planner's inputs, which are ingested as the planner's
consumers would."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from gw_support import Gateway, bearer, code_flow, read_mail, settings_for, sign_up

from api_gateway.app import build_spec
from katana_sandbox.testing import running_sandbox
from planner.handlers import ingest
from platform_kit.infra import free_port
from platform_kit.service import create_app
from platform_kit.testing.servers import serve_app
from platform_kit.testing.settings import service_test_settings
from restock_contracts.catalog.v1 import SkuRecord, SkusChanged, SupplierRecord, SuppliersChanged
from restock_contracts.forecasting.v1 import ForecastsPublished, SkuForecast
from restock_contracts.inventory.v1 import StockLevelRecord, StockLevelsChanged
from restock_demodata.model import DatasetSpec
from restock_forecasting.grid import QUANTILE_HORIZONS_DAYS, QUANTILE_LEVELS

NOW = "2026-06-01T06:00:00+00:00"
AT = datetime(2026, 5, 31, 12, tzinfo=UTC)
KATANA_KEYS = {"A": "gw-public-katana-a", "B": "gw-public-katana-b"}
PACKAGES = {
    "connector-katana": "connector_katana",
    "connector-xero": "connector_xero",
    "forecaster": "forecaster",
    "planner": "planner",
    "po-gateway": "po_gateway",
}
QUIET = {
    "connector-katana": {
        "scheduler_enabled": False,
        "job_poll_s": 0.1,
        "rate_limit": 600,
        "rate_window_s": 1.0,
        "webhook_coalesce_s": 0.5,
    },
    "connector-xero": {},
    "forecaster": {"recompute_poll_s": 0.2, "recompute_quiet_s": 0.5},
    "planner": {"replan_poll_s": 0.2, "replan_quiet_s": 0.3},
    "po-gateway": {"sweep_enabled": False},
}


@dataclass
class Tenant:
    """A signed-up tenant, its admin's access token and what it owns (``ids`` by path
    parameter name, ``markers``: strings no other tenant may ever see)."""

    tenant_id: str
    user_id: str
    email: str
    token: str
    ids: dict[str, str] = field(default_factory=dict)
    markers: list[str] = field(default_factory=list)


@dataclass
class Stack:
    gw: Gateway
    apps: dict[str, Any]
    urls: dict[str, str]
    a: Tenant
    b: Tenant
    viewer_token: str


def _service_app(
    service: str, pg_url: str, kafka: str, keys_dir: Path, prefix: str, **extra: Any
) -> Any:
    package = PACKAGES[service]
    settings_cls = importlib.import_module(f"{package}.settings").Settings
    values = {
        **service_test_settings(pg_url, f"{prefix}_{package}", keys_dir, kafka=kafka, now=NOW),
        **QUIET[service],
        **extra,
    }
    app_module = importlib.import_module(f"{package}.app")
    return create_app(app_module.build_spec(settings_cls.model_validate(values)))


def _meta(connection: uuid.UUID) -> dict[str, Any]:
    return {
        "source": "katana",
        "connection_id": connection,
        "sync_id": None,
        "mode": "webhook",
        "batch_seq": 1,
    }


async def seed_plan(runtime: Any, tenant: uuid.UUID, tag: str) -> list[tuple[str, str]]:
    """Two understocked SKUs of supplier ``sup-<tag>`` at ``loc-<tag>``, with forecasts,
    ingested into the planner; returns their (variant, location) pairs."""
    run = uuid.uuid4()
    supplier, location = f"sup-{tag}", f"loc-{tag}"
    variants = [f"v1-{tag}", f"v2-{tag}"]
    skus = [
        SkuRecord(
            product_id=f"p-{tag}",
            variant_id=v,
            sku=f"SKU-{v}",
            name=f"Thing {v}",
            category="tools",
            uom="pcs",
            purchase_uom="pcs",
            purchase_uom_conversion_rate=Decimal(1),
            is_purchased=True,
            is_manufactured=False,
            is_sold=True,
            cost=Decimal(2),
            price=Decimal(5),
            default_supplier_id=supplier,
            lead_time_days=14,
            updated_at=AT,
        )
        for v in variants
    ]
    stock = [
        StockLevelRecord(
            variant_id=v,
            location_id=location,
            on_hand=Decimal(0),
            committed=Decimal(0),
            as_of=AT,
            updated_at=AT,
        )
        for v in variants
    ]
    hz = [int(h) for h in QUANTILE_HORIZONS_DAYS]
    forecasts = [
        SkuForecast(
            variant_id=v,
            location_id=location,
            forecast_run_id=run,
            as_of=AT.date(),
            model="naive",
            demand_class="smooth",
            granularity="D",
            distribution="normal",
            mean_daily=[4.0] * 365,
            quantile_horizons_days=hz,
            quantile_levels=[float(x) for x in QUANTILE_LEVELS],
            cumulative_quantiles=[[4.0 * h] * len(QUANTILE_LEVELS) for h in hz],
        )
        for v in variants
    ]
    connection = uuid.uuid4()
    suppliers = [
        SupplierRecord(supplier_id=supplier, name=f"Supplier {tag}", currency="EUR", updated_at=AT)
    ]
    async with runtime.uow() as uow:
        await ingest.apply_records(
            uow, "suppliers", tenant, SuppliersChanged(**_meta(connection), records=suppliers)
        )
        await ingest.apply_records(
            uow, "skus", tenant, SkusChanged(**_meta(connection), records=skus)
        )
        await ingest.apply_records(
            uow, "stock_levels", tenant, StockLevelsChanged(**_meta(connection), records=stock)
        )
        await ingest.apply_forecasts(
            uow, tenant, ForecastsPublished(forecast_run_id=run, batch_seq=1, forecasts=forecasts)
        )
        await uow.commit()
    return [(v, location) for v in variants]


async def eventually(probe: Any, ok: Any, timeout_s: float = 60.0) -> Any:
    """Poll ``probe()`` until ``ok(result)``."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        result = await probe()
        if ok(result):
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not reached; last: {result!r}")
        await asyncio.sleep(0.2)


async def _tenant_known(apps: dict[str, Any], tenant: uuid.UUID) -> None:
    for app in apps.values():
        runtime = app.state.runtime
        table = runtime.db.metadata.tables["tenant"]

        async def probe(runtime: Any = runtime, table: Any = table) -> Any:
            async with runtime.uow() as uow:
                return (
                    await uow.session.execute(table.select().where(table.c.tenant_id == tenant))
                ).first()

        await eventually(probe, lambda row: row is not None)


async def _populate(
    http: httpx.AsyncClient, t: Tenant, apps: dict[str, Any], tag: str, katana_key: str, load: bool
) -> None:
    """Give tenant ``t`` data everywhere (see module doc); fills ``ids`` and ``markers``.
    With ``load``, its Katana account is loaded (only one tenant loads: both sandbox
    accounts number their variants alike) and a forecast override is made."""
    h = bearer(t.token)
    tenant = uuid.UUID(t.tenant_id)
    connection = await http.post(
        "/api/v1/katana/connections", json={"api_key": katana_key}, headers=h
    )
    assert connection.status_code in (200, 201), connection.text
    connection_id = connection.json()["connection_id"]
    if load:
        started = await http.post(
            f"/api/v1/katana/connections/{connection_id}/loads", json={"mode": "refresh"}, headers=h
        )
        assert started.status_code in (200, 201, 202), started.text
        t.ids["job_id"] = started.json()["job_id"]
    await _tenant_known(apps, tenant)
    lines = await seed_plan(apps["planner"].state.runtime, tenant, tag)
    rows = await eventually(
        lambda: http.get("/api/v1/plan/purchase-rows", headers=h),
        lambda r: r.status_code == 200 and len(r.json()["items"]) >= 2,
    )
    assert rows.status_code == 200
    drafts = await http.post(
        "/api/v1/purchase-orders/drafts",
        json={
            "lines": [{"variant_id": v, "location_id": loc} for v, loc in lines],
            "notes": f"notes-{tag}",
        },
        headers=h,
    )
    assert drafts.status_code == 201, drafts.text
    order = drafts.json()["drafts"][0]
    supplier = f"sup-{tag}"
    current = await http.get(f"/api/v1/settings/suppliers/{supplier}", headers=h)
    patched = await http.patch(
        f"/api/v1/settings/suppliers/{supplier}",
        json={"values": {"lead_time_days": 17}},
        headers={**h, "If-Match": current.headers.get("etag", "*")},
    )
    assert patched.status_code == 200, patched.text
    key = await http.post("/api/v1/api-keys", json={"name": f"key-{tag}"}, headers=h)
    client = await http.post(
        "/api/v1/oauth-clients", json={"name": f"client-{tag}", "role": "viewer"}, headers=h
    )
    assert key.status_code == 201 and client.status_code == 201, (key.text, client.text)
    t.ids.update(
        connection_id=connection_id, variant_id=lines[0][0], location_id=lines[0][1],
        draft_id=order["draft_id"], line_id=order["lines"][0]["line_id"], supplier_id=supplier,
        user_id=t.user_id, key_id=key.json()["key_id"], client_id=client.json()["client_id"],
    )  # fmt: skip
    t.markers += [tag, t.tenant_id, t.user_id, t.email, *t.ids.values()]
    if load:

        async def forecasts() -> tuple[list[Any], str, str]:
            found = await http.get("/api/v1/forecasts", headers=h)
            job = await http.get(f"/api/v1/katana/loads/{t.ids['job_id']}", headers=h)
            runs = await http.get("/api/v1/forecast-runs", headers=h)
            return found.json().get("items", []), job.text, runs.text

        found = await eventually(forecasts, lambda r: bool(r[0]), timeout_s=120)
        first = found[0][0]
        override = await http.post(
            f"/api/v1/forecasts/{first['variant_id']}/overrides",
            json={
                "location_id": first["location_id"],
                "kind": "rate",
                "start_date": "2026-06-10",
                "units_per_day": 3,
                "note": f"note-{tag}",
            },
            headers=h,
        )
        assert override.status_code == 201, override.text
        t.ids.update(
            override_id=override.json()["override_id"],
            forecast_variant_id=first["variant_id"],
            forecast_location_id=first["location_id"],
        )
        t.markers.append(t.ids["override_id"])


async def _viewer(gw: Gateway, admin: Tenant) -> str:
    email = f"viewer-{uuid.uuid4().hex[:6]}@example.com"
    invited = await gw.http.post(
        "/api/v1/invitations", json={"email": email, "role": "viewer"}, headers=bearer(admin.token)
    )
    assert invited.status_code == 201, invited.text
    token = read_mail(gw.mail_file, email, "invitation")
    accepted = await gw.http.post(
        "/api/v1/signup/invitation", json={"token": token, "password": "viewer password 1"}
    )
    assert accepted.status_code == 201, accepted.text
    return str((await code_flow(gw, email, "viewer password 1"))["access_token"])


@contextlib.asynccontextmanager
async def running_stack(
    pg_url: str, kafka: str, keys_dir: Path, tmp: Path, **gateway_overrides: Any
) -> AsyncIterator[Stack]:
    prefix = "gwp_" + uuid.uuid4().hex[:8]
    spec = DatasetSpec(skus=5, locations=1, years=0.5, end_date=date(2026, 5, 31))
    with running_sandbox(
        accounts=dict.fromkeys(KATANA_KEYS.values(), spec), rate_limit=0
    ) as sandbox:
        apps = {
            name: _service_app(name, pg_url, kafka, keys_dir, prefix)
            for name in PACKAGES
            if name != "connector-katana"
        }
        apps["connector-katana"] = _service_app(
            "connector-katana", pg_url, kafka, keys_dir, prefix, katana_base_url=sandbox.base_url
        )
        async with contextlib.AsyncExitStack() as stack:
            urls = {}
            for name in ("connector-katana", "connector-xero", "forecaster", "planner"):
                urls[name] = await stack.enter_async_context(serve_app(apps[name]))
            apps["po-gateway"] = _service_app(
                "po-gateway", pg_url, kafka, keys_dir, prefix, planner_url=urls["planner"]
            )
            urls["po-gateway"] = await stack.enter_async_context(serve_app(apps["po-gateway"]))
            port = free_port()
            mail = tmp / f"mail-{prefix}.jsonl"
            overrides = {
                "RESTOCK_NOW": NOW, "rate_client_burst": 100000.0, "rate_tenant_burst": 100000.0,
                **{f"{name.replace('-', '_')}_url": url for name, url in urls.items()},
                **gateway_overrides,
            }  # fmt: skip
            settings = settings_for(
                pg_url, kafka, keys_dir, f"{prefix}_api_gateway", port, mail, **overrides
            )
            gw_app = create_app(build_spec(settings))
            url = await stack.enter_async_context(serve_app(gw_app, port=port))
            http = await stack.enter_async_context(httpx.AsyncClient(base_url=url, timeout=30))
            gw = Gateway(url=url, app=gw_app, mail_file=mail, http=http)
            tenants = []
            for name in ("A", "B"):
                account = await sign_up(
                    gw,
                    tenant=f"Tenant {name} {prefix}",
                    base_currency="EUR",
                    time_zone="Europe/Tallinn",
                )
                token = (await code_flow(gw, account["email"]))["access_token"]
                tenants.append(
                    Tenant(account["tenant_id"], account["user_id"], account["email"], token)
                )
            a, b = tenants
            await _populate(http, b, apps, "bmark" + uuid.uuid4().hex[:8], KATANA_KEYS["B"], True)
            await _populate(http, a, apps, "amark" + uuid.uuid4().hex[:8], KATANA_KEYS["A"], False)
            b.markers.append(f"Tenant B {prefix}")
            viewer = await _viewer(gw, a)
            yield Stack(gw, apps, urls, a, b, viewer)
