"""Benchmark: connector-xero loads a 5,000-item, 2-year organisation under Xero's real limits.

Prints the Xero calls per minute the Postgres budget achieved against the 60 allowed
(measured over whole 60 s windows of the steady slice between the first and the last
call) and the records per second published. Uses ``DATABASE_URL`` /
``KAFKA_BOOTSTRAP_SERVERS`` when set, else starts an embedded Postgres and broker.

    uv run python bench/bench_connector_xero.py [--items 5000] [--years 2]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
from sqlalchemy import text

from connector_xero.adapters.xero_api import OrgRef
from connector_xero.app import build_spec
from connector_xero.handlers import connect
from connector_xero.handlers import job_queue as jobs
from connector_xero.settings import Settings
from platform_kit.service import create_app
from platform_kit.testing.servers import serve_app

ALLOWED = 60
LOAD_SLICE_S = 180.0
BUDGET_SLICE_S = 125.0
CLIENT_ID = "RESTOCKSANDBOXCLIENT0000000000001"
CLIENT_SECRET = "sandbox-secret-change-me"
REDIRECT_URI = "http://localhost:8000/oauth/xero/callback"
TARGET = 54


@contextlib.contextmanager
def infra(tmp: Path) -> Iterator[tuple[str, str]]:
    """Postgres + broker: from the environment, else embedded ones."""
    db, broker = os.environ.get("DATABASE_URL"), os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    pg = kb = None
    if not db:
        from platform_kit.infra.postgres import EmbeddedPostgres

        pg = EmbeddedPostgres(tmp / "pg").start()
        db = pg.url
    if not broker:
        from platform_kit.infra.broker import EmbeddedBroker

        kb = EmbeddedBroker(log_path=tmp / "broker.log").start()
        broker = kb.bootstrap
    try:
        yield db, broker
    finally:
        if kb is not None:
            kb.stop()
        if pg is not None:
            pg.destroy()


@contextlib.contextmanager
def sandbox_process(items: int, years: float) -> Iterator[str]:
    """The sandbox in its own process (it must not share a GIL with the service)."""
    from platform_kit.infra import free_port

    port = free_port()
    cmd = [sys.executable, "-m", "xero_sandbox", "--port", str(port), "--seed", "5"]
    cmd += ["--items", str(items), "--years", str(years), "--orgs", "1", "--auto-consent"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError("sandbox exited")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/_sandbox/clock", timeout=2).status_code == 200:
                    break
            time.sleep(1.0)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


async def run(items: int, years: float, tmp: Path, db_url: str, bootstrap: str) -> None:
    seed_started = time.monotonic()
    with sandbox_process(items, years) as base:
        print(
            f"sandbox seeded {items} items / {years} years"
            f" in {time.monotonic() - seed_started:.1f}s"
        )
        settings = Settings(
            database_url=db_url,
            kafka_bootstrap_servers=bootstrap,
            keys_dir=tmp / "keys",
            database_name=f"bench_cx_{uuid.uuid4().hex[:8]}",
            log_json=False,
            log_level="WARNING",
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            redirect_uri=REDIRECT_URI,
            authorize_url=f"{base}/identity/connect/authorize",
            token_url=f"{base}/connect/token",
            revocation_url=f"{base}/connect/revocation",
            connections_url=f"{base}/connections",
            api_url=f"{base}/api.xro/2.0",
            schedule_enabled=False,
            worker_poll_s=0.1,
            http_timeout_s=120.0,
        )
        app = create_app(build_spec(settings))
        async with serve_app(app), httpx.AsyncClient(timeout=60) as raw:
            deps = app.state.runtime.extras["xero"]
            stamps: list[float] = []

            async def on_request(request: httpx.Request) -> None:
                if "/api.xro/" in str(request.url):
                    stamps.append(time.monotonic())

            deps.http.event_hooks = {"request": [on_request], "response": []}
            tenant = uuid.uuid4()
            started = await connect.start_authorization(deps, tenant, "bench")
            redirect = await raw.get(started["authorize_url"])
            query = parse_qs(urlparse(redirect.headers["location"]).query)
            done = await connect.complete_authorization(deps, query["state"][0], query["code"][0])
            org = done["organisations"][0]["tenantId"]
            connection_id = await connect.choose_organisation(deps, tenant, done["grant_id"], org)
            assert connection_id is not None
            await raw.delete(f"{base}/_sandbox/stats")
            stamps.clear()
            began = time.monotonic()
            job_id, _ = await jobs.enqueue(deps, tenant, connection_id, "full")
            status = await wait_slice(deps, job_id, began, LOAD_SLICE_S)
            elapsed = time.monotonic() - began
            load_stamps = list(stamps)
            async with deps.db.sessions() as session:
                published = (
                    await session.execute(text("select count(*) from snapshot_record"))
                ).scalar_one()
                item_ids = (
                    (
                        await session.execute(
                            text("select provider_id from snapshot_record where stream = 'skus'")
                        )
                    )
                    .scalars()
                    .all()
                )
            await jobs.cancel(deps, tenant, job_id)
            await asyncio.sleep(3.0)
            stamps.clear()
            ref = OrgRef(done["grant_id"], org)
            stop = time.monotonic() + BUDGET_SLICE_S

            async def reader(offset: int) -> None:
                i = offset
                while time.monotonic() < stop:
                    await deps.api.get(ref, f"Items/{item_ids[i % len(item_ids)]}")
                    i += 4

            await asyncio.gather(*(reader(k) for k in range(4)))
            stats = (await raw.get(f"{base}/_sandbox/stats")).json()
        budget_stamps = [t for t in stamps if t < stop]
        report(status, load_stamps, budget_stamps, published, elapsed, stats, deps.budget)


async def wait_slice(deps: Any, job_id: Any, began: float, slice_s: float) -> str:
    """Poll the job until it ends or the measuring slice is over."""
    status = "queued"
    while status not in {"succeeded", "failed"} and time.monotonic() - began < slice_s:
        await asyncio.sleep(1.0)
        async with deps.db.sessions() as session:
            status = (
                await session.execute(
                    text("select status from load_job where job_id = :j"), {"j": job_id}
                )
            ).scalar_one()
    return status


def per_minute(stamps: list[float], window: float) -> tuple[float, str]:
    """Calls per minute over whole windows from the first call (else the whole span)."""
    first, last = stamps[0], stamps[-1]
    whole = int((last - first) // window)
    if whole >= 1:
        count = sum(1 for t in stamps if t < first + whole * window)
        return count / whole * 60.0 / window, f"{whole} whole {window:.0f}s window(s)"
    span = max(last - first, 1e-9)
    return (len(stamps) - 1) / span * 60.0, f"{span:.1f}s"


def report(
    status: str,
    load_stamps: list[float],
    budget_stamps: list[float],
    records: int,
    elapsed: float,
    stats: Any,
    budget: Any,
) -> None:
    window = budget.window_s
    rate, slice_text = per_minute(budget_stamps, window)
    load_rate, load_text = per_minute(load_stamps, window)
    sliding = window + budget.margin_s
    print(f"connector_xero.load_status after {elapsed:.0f}s slice: {status}")
    print(
        f"connector_xero.rate_window: budget slice = {slice_text} of single-record reads,"
        f" 4 concurrent; budget {budget.cap('bulk')} bulk calls per {sliding:.1f}s sliding window"
    )
    print(f"connector_xero.calls_per_min: {rate:.1f} (allowed {ALLOWED}, target >= {TARGET})")
    print(
        f"connector_xero.load_calls_per_min: {load_rate:.1f} over {load_text} of the full load"
        " (pages of up to 1,000 records, paced by the rate budget)"
    )
    print(f"connector_xero.http_429: {stats['rate_limited_total']}")
    print(
        f"connector_xero.records_per_s: {records / elapsed:.1f}"
        f" ({records} records normalised and published in {elapsed:.1f}s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--years", type=float, default=2.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, infra(Path(tmp)) as (db_url, bootstrap):
        asyncio.run(run(args.items, args.years, Path(tmp), db_url, bootstrap))


if __name__ == "__main__":
    main()
