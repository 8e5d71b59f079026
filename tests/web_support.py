"""Helpers for the web app's browser tests: the built SPA served by api-gateway in front of
the five services and both provider sandboxes (one Postgres database per service, the
session broker), Debian's Chromium driven by Playwright, axe-core checks and screenshots."""

from __future__ import annotations

import contextlib
import dataclasses
import importlib.util
import json
import os
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.async_api import BrowserContext, Page, async_playwright

from api_gateway.app import build_spec as gateway_spec
from api_gateway.settings import Settings as GatewaySettings
from connector_katana.app import build_spec as katana_spec
from connector_katana.settings import Settings as KatanaSettings
from connector_xero.app import build_spec as xero_spec
from connector_xero.settings import Settings as XeroSettings
from forecaster.app import build_spec as forecaster_spec
from forecaster.settings import Settings as ForecasterSettings
from katana_sandbox.testing import running_sandbox as running_katana
from planner.app import build_spec as planner_spec
from planner.settings import Settings as PlannerSettings
from platform_kit.infra import free_port
from platform_kit.service import create_app
from platform_kit.testing.servers import serve_app
from platform_kit.testing.settings import service_test_settings
from po_gateway.app import build_spec as po_spec
from po_gateway.settings import Settings as PoSettings
from restock_demodata import DatasetSpec, generate
from xero_sandbox.testing import RunningSandbox as XeroSandbox
from xero_sandbox.testing import fast_config
from xero_sandbox.testing import running_sandbox as running_xero

ROOT = Path(__file__).resolve().parents[1]
KATANA_KEY = "web-katana-key-000000001"
KATANA_DATA = DatasetSpec(seed=5, skus=20, locations=1, years=0.5)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"


def built_web() -> Path:
    """``web/dist``, built first when its sources changed (``web/scripts/build.py``)."""
    spec = importlib.util.spec_from_file_location(
        "restock_web_build", ROOT / "web/scripts/build.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    dist, _ = module.ensure_built()
    return Path(dist)


@dataclass(frozen=True)
class WebStack:
    """Where the gateway (and so the SPA) listens, and the sandboxes behind the connectors."""

    url: str
    katana_key: str
    xero: XeroSandbox
    apps: dict[str, Any]


def _common(pg_url: str, kafka: str, keys_dir: Path, db: str) -> dict[str, Any]:
    return service_test_settings(pg_url, db, keys_dir, kafka=kafka)


@contextlib.asynccontextmanager
async def web_stack(
    pg_url: str, kafka: str, keys_dir: Path, name: str, *, katana_spec_: DatasetSpec = KATANA_DATA
) -> AsyncIterator[WebStack]:
    """Sandboxes, the five services and the gateway serving ``web/dist``; yields its URL."""
    dist = built_web()
    gw_port = free_port()
    gw_url = f"http://127.0.0.1:{gw_port}"
    xero_config = fast_config()
    client = dataclasses.replace(
        xero_config.clients[0], redirect_uris=(f"{gw_url}/oauth/xero/callback",)
    )
    xero_config = dataclasses.replace(xero_config, clients=(client,))
    with (
        running_katana(
            accounts={KATANA_KEY: katana_spec_},
            dataset={KATANA_KEY: generate(katana_spec_)},
            rate_limit=60,
            rate_window_s=0.5,
        ) as katana_sb,
        running_xero(xero_config) as xero_sb,
    ):
        apps = _service_apps(pg_url, kafka, keys_dir, name, katana_sb.base_url, xero_sb, gw_url)
        async with contextlib.AsyncExitStack() as stack:
            urls = {
                key: await stack.enter_async_context(serve_app(app)) for key, app in apps.items()
            }
            po_settings = PoSettings(
                **_common(pg_url, kafka, keys_dir, f"{name}_po"),
                planner_url=urls["planner"],
                sweep_poll_s=1.0,
            )
            apps["po-gateway"] = create_app(po_spec(po_settings))
            urls["po-gateway"] = await stack.enter_async_context(serve_app(apps["po-gateway"]))
            gateway = create_app(
                gateway_spec(
                    GatewaySettings(
                        **_common(pg_url, kafka, keys_dir, f"{name}_gw"),
                        issuer=gw_url,
                        web_redirect_uris=[f"{gw_url}/auth/callback"],
                        web_dist=dist,
                        password_log_n=10,
                        connector_katana_url=urls["connector-katana"],
                        connector_xero_url=urls["connector-xero"],
                        forecaster_url=urls["forecaster"],
                        planner_url=urls["planner"],
                        po_gateway_url=urls["po-gateway"],
                    )
                )
            )
            await stack.enter_async_context(serve_app(gateway, port=gw_port))
            yield WebStack(gw_url, KATANA_KEY, xero_sb, {**apps, "api-gateway": gateway})


def _service_apps(
    pg_url: str, kafka: str, keys_dir: Path, name: str, katana_url: str, xsb: XeroSandbox, gw: str
) -> dict[str, Any]:
    def common(suffix: str) -> dict[str, Any]:
        return _common(pg_url, kafka, keys_dir, f"{name}_{suffix}")

    planner = create_app(
        planner_spec(PlannerSettings(**common("pl"), replan_poll_s=0.2, replan_quiet_s=0.5))
    )
    return {
        "planner": planner,
        "connector-katana": create_app(
            katana_spec(
                KatanaSettings(
                    **common("ck"),
                    katana_base_url=katana_url,
                    rate_limit=60,
                    rate_window_s=0.5,
                    rate_headroom=8,
                    rate_po_reserve=4,
                    scheduler_enabled=False,
                    job_poll_s=0.1,
                    po_worker_poll_s=0.1,
                    http_timeout_s=5.0,
                    page_limit=100,
                )
            )
        ),
        "connector-xero": create_app(
            xero_spec(
                XeroSettings(
                    **common("cx"),
                    client_id=xsb.client_id,
                    client_secret=xsb.client_secret,
                    redirect_uri=f"{gw}/oauth/xero/callback",
                    ui_return_url=f"{gw}/data",
                    authorize_url=xsb.authorize_endpoint,
                    token_url=xsb.token_url,
                    revocation_url=f"{xsb.base_url}/connect/revocation",
                    connections_url=f"{xsb.base_url}/connections",
                    api_url=xsb.api_url,
                    webhook_key="web-e2e-webhook-key-0123456789",
                    schedule_enabled=False,
                    worker_poll_s=0.1,
                    http_timeout_s=10.0,
                    po_retry_backoff_s=0.5,
                )
            )
        ),
        "forecaster": create_app(
            forecaster_spec(
                ForecasterSettings(**common("fc"), recompute_poll_s=0.2, recompute_quiet_s=1.0)
            )
        ),
    }


def output_dir(test_name: str) -> Path:
    """An emptied folder for a test's screenshots (under ``RESTOCK_TEST_OUTPUT``, else
    ``<repo>/test-output``)."""
    base = Path(os.environ.get("RESTOCK_TEST_OUTPUT", ROOT / "test-output"))
    out = base / "web" / test_name
    out.mkdir(parents=True, exist_ok=True)
    for old in out.iterdir():
        old.unlink()
    return out


@contextlib.asynccontextmanager
async def chromium(width: int = 1366, height: int = 900) -> AsyncIterator[BrowserContext]:
    """A fresh persistent Chromium profile (Debian's binary; Playwright downloads nothing)."""
    with tempfile.TemporaryDirectory(prefix="restock-chromium-") as profile:
        async with async_playwright() as pw:
            context = await pw.chromium.launch_persistent_context(
                profile,
                executable_path=CHROMIUM,
                headless=True,
                args=CHROMIUM_FLAGS,
                viewport={"width": width, "height": height},
                locale="en-NZ",
            )
            context.set_default_timeout(20_000)
            try:
                yield context
            finally:
                await context.close()


async def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now."""
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        await page.evaluate(AXE.read_text())  # over CDP: the app's CSP forbids inline scripts
    result = await page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"][:5]]}
        for v in result
        if v["impact"] in ("serious", "critical")
    ]


class ScreenRecorder:
    """Screenshots every screen in order and collects axe findings per screen."""

    def __init__(self, page: Page, out: Path) -> None:
        self.page = page
        self.out = out
        self.count = 0
        self.findings: dict[str, list[dict[str, Any]]] = {}
        self.started = time.monotonic()
        self.timeline: list[tuple[str, float]] = []

    async def screen(self, name: str) -> None:
        """Wait for loading to finish, screenshot the full page, run axe."""
        await self.page.wait_for_load_state("networkidle")
        self.count += 1
        await self.page.screenshot(path=self.out / f"{self.count:02d}-{name}.png", full_page=True)
        found = await axe_violations(self.page)
        if found:
            self.findings[name] = found
        self.timeline.append((name, round(time.monotonic() - self.started, 1)))

    @contextlib.asynccontextmanager
    async def failure_shot(self) -> AsyncIterator[None]:
        """On any error inside, screenshot the page as ``failure.png`` (then re-raise)."""
        try:
            yield
        except BaseException:
            await self.page.screenshot(path=self.out / "failure.png", full_page=True)
            raise
        finally:
            (self.out / "timeline.json").write_text(json.dumps(self.timeline))

    def assert_accessible(self) -> None:
        (self.out / "axe.json").write_text(json.dumps(self.findings, indent=1))
        assert not self.findings, json.dumps(self.findings, indent=1)
