"""Benchmark: load a 5,000-SKU, 2-year Katana account through connector-katana.

Phase 1 runs with the real rate window (60 requests per 60 s) and measures requests per
minute and records per second over a steady slice (after the first window, so the
opening burst does not count). Phase 2 turns the limiter off (connector and sandbox
unthrottled, fresh database) and measures the pipeline alone: fetch, normalise, snapshot
diff, outbox write. The sandbox builds its tables lazily (a minute for 875k sales orders),
so the bench touches them before phase 1; both phases share that sandbox.

Needs a Postgres server: ``DATABASE_URL`` (default postgresql://postgres@127.0.0.1:5432).
``KAFKA_BOOTSTRAP_SERVERS`` is optional (without it events stay in the outbox).
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from connector_katana.app import build_spec
from connector_katana.settings import Settings
from katana_sandbox.testing import running_sandbox
from platform_kit.auth import InternalKeys
from platform_kit.service import create_app
from platform_kit.testing.servers import serve_app
from restock_demodata import DatasetSpec, generate

KEY = "bench-katana-key-0001"
SPEC = DatasetSpec(seed=42, skus=5000, years=2.0)
WINDOW_S = 60.0
WARMUP_S = float(os.environ.get("BENCH_KATANA_WARMUP_S", "65"))
SLICE_S = float(os.environ.get("BENCH_KATANA_SLICE_S", "150"))
PIPELINE_S = float(os.environ.get("BENCH_KATANA_PIPELINE_S", "60"))


def settings_for(base_url: str, keys: Path, limited: bool) -> Settings:
    return Settings(
        database_url=os.environ.get(
            "DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
        database_name=f"bench_ck_{uuid.uuid4().hex[:8]}",
        kafka_bootstrap_servers=os.environ.get("KAFKA_BOOTSTRAP_SERVERS"),
        keys_dir=keys,
        katana_base_url=base_url,
        rate_limit=60,
        rate_window_s=WINDOW_S,
        limiter_enabled=limited,
        scheduler_enabled=False,
        log_level="WARNING",
    )


async def records_done(http: httpx.AsyncClient, job_id: str) -> tuple[int, str]:
    job = (await http.get(f"/loads/{job_id}")).json()
    return sum(p["records"] for p in job["progress"]), job["status"]


async def stats(sandbox: Any) -> dict[str, Any]:
    """Sandbox counters, read off the event loop (the sandbox shares this process)."""
    for attempt in range(5):
        try:
            return await asyncio.to_thread(sandbox.stats)
        except httpx.HTTPError:
            if attempt == 4:
                raise
            await asyncio.sleep(1.0)
    raise AssertionError("unreachable")


def prewarm(sandbox: Any) -> None:
    """Build the sandbox's lazy tables so no request of the measured slice pays for it."""
    account = sandbox.app.app.state.accounts[KEY]
    for name in (
        "products",
        "materials",
        "variants",
        "suppliers",
        "locations",
        "bom_rows",
        "inventory_movements",
        "sales_orders",
        "purchase_orders",
    ):
        _ = getattr(account, name).rows


async def run_phase(sandbox: Any, keys: Path, limited: bool) -> dict[str, float]:
    settings = settings_for(sandbox.base_url, keys, limited)
    token = InternalKeys.load(keys).mint_for(uuid.uuid4(), "bench", ["admin"], ttl_s=3600)
    app = create_app(build_spec(settings))
    async with (
        serve_app(app) as base,
        httpx.AsyncClient(
            base_url=base, timeout=60, headers={"Authorization": f"Bearer {token}"}
        ) as http,
    ):
        conn = (await http.post("/connections", json={"api_key": KEY})).json()
        job = (
            await http.post(f"/connections/{conn['connection_id']}/loads", json={"mode": "refresh"})
        ).json()
        started = time.monotonic()
        if limited:
            await asyncio.sleep(WARMUP_S)
            req0, (rec0, _) = (
                sandbox.stats()["total_requests"],
                await records_done(http, job["job_id"]),
            )
            t0 = time.monotonic()
            await asyncio.sleep(SLICE_S)
            req1, (rec1, _) = (
                sandbox.stats()["total_requests"],
                await records_done(http, job["job_id"]),
            )
            elapsed = time.monotonic() - t0
        else:
            req0, rec0, t0 = (await stats(sandbox))["total_requests"], 0, started
            status = "running"
            while status in ("queued", "running") and time.monotonic() - started < PIPELINE_S:
                await asyncio.sleep(1.0)
                rec1, status = await records_done(http, job["job_id"])
            req1, (rec1, _) = (
                sandbox.stats()["total_requests"],
                await records_done(http, job["job_id"]),
            )
            elapsed = time.monotonic() - t0
    return {
        "requests_per_min": (req1 - req0) * 60.0 / elapsed,
        "records_per_s": (rec1 - rec0) / elapsed,
        "requests": req1 - req0,
        "throttled": sandbox.stats()["total_429"],
        "elapsed": elapsed,
    }


async def main_async() -> None:
    t = time.perf_counter()
    dataset = generate(SPEC)
    took = time.perf_counter() - t
    print(f"connector_katana.dataset: 5000 SKUs x 2 years generated in {took:.0f} s")
    with tempfile.TemporaryDirectory() as tmp:
        keys = Path(tmp)
        with running_sandbox(
            accounts={KEY: SPEC}, dataset={KEY: dataset}, rate_limit=60, rate_window_s=WINDOW_S
        ) as sandbox:
            t = time.perf_counter()
            prewarm(sandbox)
            print(f"connector_katana.sandbox_prewarm_s: {time.perf_counter() - t:.0f}")
            limited = await run_phase(sandbox, keys, limited=True)
            print(
                f"connector_katana.rate_window: 60 requests per {WINDOW_S:.0f} s "
                f"(slice {limited['elapsed']:.0f} s after a {WARMUP_S:.0f} s warm-up)"
            )
            print(
                f"connector_katana.requests_per_min: {limited['requests_per_min']:.1f} "
                "(allowed 60, target >= 54)"
            )
            print(f"connector_katana.throttled_429: {limited['throttled']} (target 0)")
            print(f"connector_katana.records_per_s_limited: {limited['records_per_s']:.1f}")
            sandbox.app.limit = 0
            pipeline = await run_phase(sandbox, keys, limited=False)
            print(
                f"connector_katana.pipeline_records_per_s: {pipeline['records_per_s']:.1f} "
                f"(limiter off, {pipeline['requests']:.0f} requests in "
                f"{pipeline['elapsed']:.0f} s)",
                flush=True,
            )


def main() -> None:
    """Run both phases and print the figures."""
    asyncio.run(main_async())


if __name__ == "__main__":
    main()
