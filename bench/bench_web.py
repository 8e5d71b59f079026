"""Benchmark: the web app's order plan in Chromium against a 10,000-SKU tenant.

Starts an embedded Postgres and broker (unless ``DATABASE_URL`` / ``KAFKA_BOOTSTRAP_SERVERS``
are set), the planner with a seeded and planned 10k-row tenant (the seeding of
``bench_planner``), and api-gateway serving the built ``web/dist``. A user signs up over
the API and signs in through the gateway's login page in Debian's Chromium. Then:

- ``web.order_plan_open_s``: a fresh navigation to ``/plan`` until the first rows are in
  the table (target <= 2 s; median and max of 5 loads);
- ``web.plan_sort_round_trip_ms`` / ``web.plan_filter_round_trip_ms``: a click on a column
  header / a status filter until the re-sorted / filtered rows are shown (target <= 300 ms;
  median and p95 of 10 each).

Run: uv run python bench/bench_web.py [--skus N]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from bench_planner import seed_db  # noqa: E402
from playwright.async_api import Page  # noqa: E402
from web_support import built_web, chromium  # noqa: E402

from api_gateway.app import build_spec as gateway_spec  # noqa: E402
from api_gateway.settings import Settings as GatewaySettings  # noqa: E402
from planner.app import build_spec as planner_spec  # noqa: E402
from planner.handlers.replan import replan_tenant  # noqa: E402
from planner.settings import Settings as PlannerSettings  # noqa: E402
from platform_kit.infra import free_port  # noqa: E402
from platform_kit.service import create_app  # noqa: E402
from platform_kit.testing.servers import serve_app  # noqa: E402

OPEN_TARGET_S, ROUND_TRIP_TARGET_MS = 2.0, 300.0
PASSWORD = "bench password 123"
FIRST_ROW = "table.plan tbody tr"


async def _sign_in(page: Page, url: str, email: str) -> None:
    await page.goto(url)
    await page.get_by_role("button", name="Sign in").click()
    await page.locator("#email").fill(email)
    await page.locator("#password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_selector("h1:has-text('Dashboard')")


async def _open_plan(page: Page, url: str) -> float:
    t0 = time.perf_counter()
    await page.goto(f"{url}/plan")
    await page.wait_for_selector(f"{FIRST_ROW} input[type=checkbox]", state="visible")
    return time.perf_counter() - t0


async def _round_trip(page: Page, action: Any) -> float:
    """Milliseconds from the action to a settled table whose first row changed."""
    before = await page.inner_text(FIRST_ROW)
    t0 = time.perf_counter()
    await action()
    await page.wait_for_function(
        """(before) => {
            const t = document.querySelector('table.plan');
            const r = document.querySelector('table.plan tbody tr');
            return t && r && t.getAttribute('aria-busy') === 'false' && r.innerText !== before;
        }""",
        arg=before,
        polling="raf",
    )
    return (time.perf_counter() - t0) * 1000


def _stats(label: str, ms: list[float], target: float, what: str) -> None:
    p95 = sorted(ms)[max(0, round(0.95 * len(ms)) - 1)]
    print(
        f"web.{label}: {statistics.median(ms):.0f} (target <= {target:.0f}; p95 {p95:.0f}; "
        f"max {max(ms):.0f}; {len(ms)} {what})"
    )


async def measure(url: str, email: str, skus: int) -> None:
    async with chromium() as browser:
        page = await browser.new_page()
        await _sign_in(page, url, email)
        await _open_plan(page, url)
        loads = [await _open_plan(page, url) for _ in range(5)]
        print(
            f"web.order_plan_open_s: {statistics.median(loads):.2f} (target <= {OPEN_TARGET_S}; "
            f"max {max(loads):.2f}; 5 fresh loads of /plan until the first rows are usable; "
            f"{skus:,} SKUs)"
        )
        sorts: list[float] = []
        headers = ["Suggested qty", "Stock value", "Days to stock-out", "SKU", "Net stock"]
        for i in range(10):
            name = headers[i % len(headers)]
            button = page.get_by_role("button", name=name, exact=False).first
            sorts.append(await _round_trip(page, button.click))
        _stats("plan_sort_round_trip_ms", sorts, ROUND_TRIP_TARGET_MS, "header clicks")
        filters: list[float] = []
        choices = ["understocked", "overstocked", "ok", ""]
        for i in range(10):
            value = choices[i % len(choices)]
            select = page.get_by_label("Status")
            filters.append(await _round_trip(page, lambda v=value: select.select_option(v)))
        _stats("plan_filter_round_trip_ms", filters, ROUND_TRIP_TARGET_MS, "status filters")


async def main_async(skus: int) -> None:
    t0 = time.perf_counter()
    dist = built_web()
    with contextlib.ExitStack() as infra:
        database = os.environ.get("DATABASE_URL")
        kafka = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
        scratch = Path(tempfile.mkdtemp(prefix="restock-bench-web-"))
        if not database:
            from platform_kit.infra.postgres import EmbeddedPostgres

            pg = EmbeddedPostgres(scratch / "pg").start()
            infra.callback(pg.destroy)
            database = pg.url
        if not kafka:
            from platform_kit.infra.broker import EmbeddedBroker

            broker = EmbeddedBroker(free_port(), log_path=scratch / "broker.log").start()
            infra.callback(broker.stop)
            kafka = broker.bootstrap
        common = {
            "database_url": database,
            "kafka_bootstrap_servers": kafka,
            "keys_dir": scratch / "keys",
            "log_json": False,
            "log_level": "WARNING",
        }
        tag = uuid.uuid4().hex[:6]
        planner = create_app(
            planner_spec(
                PlannerSettings(**common, database_name=f"bench_web_pl_{tag}", run_replan=False)
            )
        )
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        async with serve_app(planner) as planner_url:
            gateway = create_app(
                gateway_spec(
                    GatewaySettings(
                        **common,
                        database_name=f"bench_web_gw_{tag}",
                        issuer=url,
                        web_redirect_uris=[f"{url}/auth/callback"],
                        web_dist=dist,
                        password_log_n=10,
                        planner_url=planner_url,
                        rate_client_burst=5000,
                        rate_tenant_burst=5000,
                    )
                )
            )
            async with serve_app(gateway, port=port):
                email = f"bench-{tag}@example.com"
                async with httpx.AsyncClient(base_url=url) as http:
                    signed = await http.post(
                        "/api/v1/signup",
                        json={
                            "email": email,
                            "password": PASSWORD,
                            "tenant_name": "Bench",
                            "base_currency": "EUR",
                            "time_zone": "UTC",
                        },
                    )
                    signed.raise_for_status()
                tenant = uuid.UUID(signed.json()["tenant_id"])
                runtime = planner.state.runtime
                await seed_db(runtime, tenant, skus, 1)
                report = await replan_tenant(runtime.uow, runtime.clock, tenant)
                print(
                    f"web.setup: {report.rows} plan rows ready in {time.perf_counter() - t0:.0f} s"
                )
                await measure(url, email, skus)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skus", type=int, default=10_000)
    args = parser.parse_args()
    t0 = time.perf_counter()
    asyncio.run(main_async(args.skus))
    print(f"web.bench_total_s: {time.perf_counter() - t0:.0f}")


if __name__ == "__main__":
    main()
