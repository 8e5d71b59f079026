"""Benchmark: sales-line events -> published forecasts through the broker and Postgres.

Synthetic tenant (fixed seed): N SKUs x L purchasing locations, 730 days of history, one
sales line per SKU x location x day with demand (Beta(1, 5.5) share of selling days, so
~15% of days; quantities 1 + Poisson). The lines are pre-serialised as SalesLinesChanged
batches (<= 450 KB of records each), then the clock starts: every batch and the stream's
completion marker are produced to ``sales.lines.v1``; the forecaster (a separate
``python -m forecaster api`` process) consumes them into Postgres, recomputes the tenant
(triggered by the completion marker) and publishes ForecastsPublished batches and
ForecastRunCompleted through its outbox. The clock stops when ForecastRunCompleted for
the tenant is read back from the broker.

Rate window: the whole end-to-end interval (first produce -> run completed), printed with
its phases. Uses ``DATABASE_URL`` / ``KAFKA_BOOTSTRAP_SERVERS`` when set, else starts the
embedded Postgres and broker. ``--skus``, ``--locations`` and ``--only`` tune the runs.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import httpx
import numpy as np
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from platform_kit.infra import free_port
from restock_contracts.topics import FORECASTS, SALES_LINES, TENANTS

NOW = "2026-01-01T12:00:00+00:00"
LAST_DAY = date(2025, 12, 31)
DAYS = 730
BATCH_BYTES = 450_000
CONNECTION = "00000000-0000-0000-0000-00000000b001"


def make_lines(n_skus: int, n_locs: int, seed: int) -> Iterator[str]:
    """Serialised sales-line records, SKU by SKU."""
    rng = np.random.default_rng(seed)
    days = [LAST_DAY - timedelta(days=DAYS - 1 - k) for k in range(DAYS)]
    stamps = [f"{d.isoformat()}T10:00:00Z" for d in days]
    for s in range(n_skus):
        for loc in range(n_locs):
            p = rng.beta(1.0, 5.5)
            lam = rng.lognormal(0.3, 0.8)
            sold = np.flatnonzero(rng.random(DAYS) < p)
            qty = 1 + rng.poisson(lam, sold.size)
            for k, q in zip(sold.tolist(), qty.tolist(), strict=True):
                lid = f"{s}-{loc}-{k}"
                yield (
                    f'{{"order_id":"o{lid}","line_id":"l{lid}","variant_id":"v{s}",'
                    f'"location_id":"loc{loc}","order_date":"{stamps[k]}","quantity":"{q}",'
                    f'"currency":"EUR","fx_rate_to_base":"1","raw_status":"DELIVERED",'
                    f'"status":"fulfilled","updated_at":"{stamps[k]}"}}'
                )


def envelope(tenant: str, payload: str, event_type: str) -> bytes:
    return (
        f'{{"event_id":"{uuid.uuid4()}","event_type":"{event_type}","schema_version":1,'
        f'"tenant_id":"{tenant}","occurred_at":"{NOW}","producer":"bench",'
        f'"payload":{payload}}}'
    ).encode()


def build_messages(tenant: str, sync_id: str, n_skus: int, n_locs: int) -> tuple[list[bytes], int]:
    """SalesLinesChanged messages plus the StreamCompleted marker; and the line count."""
    messages: list[bytes] = []
    batch: list[str] = []
    size, lines = 2, 0

    def flush() -> None:
        head = (
            f'{{"event_type":"sales.lines_changed","source":"katana",'
            f'"connection_id":"{CONNECTION}","sync_id":"{sync_id}","mode":"incremental",'
            f'"batch_seq":{len(messages) + 1},"records":[{",".join(batch)}]}}'
        )
        messages.append(envelope(tenant, head, "sales.lines_changed"))

    for rec in make_lines(n_skus, n_locs, seed=7):
        lines += 1
        if batch and size + len(rec) + 1 > BATCH_BYTES:
            flush()
            batch, size = [], 2
        batch.append(rec)
        size += len(rec) + 1
    if batch:
        flush()
    SALES_LINES.decode(messages[0])  # the hand-built JSON satisfies the contract
    done = json.dumps(
        {
            "event_type": "connectors.stream_completed",
            "source": "katana",
            "connection_id": CONNECTION,
            "sync_id": sync_id,
            "mode": "incremental",
            "stream": "sales_lines",
            "batch_count": len(messages),
            "record_count": lines,
        }
    )
    messages.append(envelope(tenant, done, "connectors.stream_completed"))
    SALES_LINES.decode(messages[-1])
    return messages, lines


@contextlib.contextmanager
def infrastructure(tmp: Path) -> Iterator[tuple[str, str]]:
    db, kafka = os.environ.get("DATABASE_URL"), os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    with contextlib.ExitStack() as stack:
        if not db:
            from platform_kit.infra.postgres import EmbeddedPostgres

            pg = EmbeddedPostgres(tmp / "pg").start()
            stack.callback(pg.destroy)
            db = pg.url
        if not kafka:
            from platform_kit.infra.broker import EmbeddedBroker

            broker = EmbeddedBroker(log_path=tmp / "broker.log").start()
            stack.callback(broker.stop)
            kafka = broker.bootstrap
        yield db, kafka


def _spawn(env: dict[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    """``python -m forecaster api`` with its output in ``log_path``."""
    with log_path.open("wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "forecaster", "api"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


@contextlib.asynccontextmanager
async def forecaster(db: str, kafka: str, tmp: Path, name: str):  # type: ignore[no-untyped-def]
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": db,
        "KAFKA_BOOTSTRAP_SERVERS": kafka,
        "RESTOCK_NOW": NOW,
        "RESTOCK_KEYS_DIR": str(tmp / "keys"),
        "FORECASTER_DATABASE_NAME": name,
        "FORECASTER_PORT": str(port),
        "FORECASTER_RECOMPUTE_QUIET_S": "600",
        "FORECASTER_LOG_LEVEL": "WARNING",
    }
    log_path = tmp / f"{name}.log"
    proc = _spawn(env, log_path)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            for _ in range(600):
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get("/readyz")).status_code == 200:
                        break
                await asyncio.sleep(0.2)
            else:
                raise RuntimeError(f"forecaster did not get ready; see {log_path}")
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        await asyncio.to_thread(proc.wait, 30)


async def run_case(db: str, kafka: str, tmp: Path, n_skus: int, n_locs: int) -> dict[str, float]:
    tenant, sync_id = str(uuid.uuid4()), str(uuid.uuid4())
    t_build = time.perf_counter()
    messages, lines = build_messages(tenant, sync_id, n_skus, n_locs)
    build_s = time.perf_counter() - t_build
    tenant_msg = envelope(
        tenant,
        json.dumps(
            {
                "event_type": "tenancy.tenant_created",
                "tenant_id": tenant,
                "name": "bench",
                "time_zone": "Europe/Tallinn",
                "base_currency": "EUR",
                "primary_source": "katana",
            }
        ),
        "tenancy.tenant_created",
    )
    TENANTS.decode(tenant_msg)
    async with forecaster(db, kafka, tmp, f"fcbench_{n_skus}_{n_locs}") as url:
        producer = AIOKafkaProducer(
            bootstrap_servers=kafka, max_request_size=2 * 1024 * 1024, linger_ms=5
        )
        consumer = AIOKafkaConsumer(
            FORECASTS.name,
            bootstrap_servers=kafka,
            group_id=None,
            auto_offset_reset="latest",
            fetch_max_bytes=64 * 1024 * 1024,
        )
        await producer.start()
        await consumer.start()
        await producer.send_and_wait(TENANTS.name, tenant_msg, key=tenant.encode())
        await asyncio.sleep(2.0)
        t0 = time.perf_counter()
        futures = [await producer.send(SALES_LINES.name, m, key=tenant.encode()) for m in messages]
        await asyncio.gather(*futures)
        produced_s = time.perf_counter() - t0
        forecasts, first_forecast_s = 0, 0.0
        while True:
            batches = await consumer.getmany(timeout_ms=500)
            done = False
            for records in batches.values():
                for rec in records:
                    env = FORECASTS.decode(rec.value or b"")
                    if str(env.tenant_id) != tenant:
                        continue
                    if env.event_type == "forecasting.forecasts_published":
                        first_forecast_s = first_forecast_s or time.perf_counter() - t0
                        forecasts += len(env.payload.forecasts)
                    elif env.event_type == "forecasting.run_completed":
                        done = True
            if done:
                break
            if time.perf_counter() - t0 > 1800:
                raise RuntimeError("no ForecastRunCompleted within 30 minutes")
        total_s = time.perf_counter() - t0
        run = await last_run(url, tmp, tenant)
        await producer.stop()
        await consumer.stop()
    return {
        "lines": lines,
        "messages": len(messages),
        "build_s": build_s,
        "produce_s": produced_s,
        "first_forecast_s": first_forecast_s,
        "total_s": total_s,
        "forecasts": forecasts,
        "run_s": run["duration_s"],
        "series": run["n_series"],
    }


async def last_run(url: str, tmp: Path, tenant: str) -> dict[str, float]:
    """The tenant's newest forecast run, read over the API with a minted viewer token."""
    from platform_kit.auth import InternalKeys

    token = InternalKeys.load(tmp / "keys").mint_for(tenant, "bench", ["viewer"])
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        resp = await client.get("/forecast-runs", headers={"Authorization": f"Bearer {token}"})
        resp.raise_for_status()
        return resp.json()[0]  # type: ignore[no-any-return]


def report(label: str, n_skus: int, n_locs: int, r: dict[str, float]) -> None:
    print(
        f"forecaster.e2e_events_to_forecasts_{label}_s: {r['total_s']:.1f} "
        f"({n_skus} SKUs x {n_locs} location(s) x {DAYS} days; {int(r['lines'])} sales lines "
        f"in {int(r['messages'])} messages; {int(r['forecasts'])} forecasts published)"
    )
    print(
        f"forecaster.e2e_{label}.window: first sales-line produce -> ForecastRunCompleted "
        f"read back; produce {r['produce_s']:.1f}s, first ForecastsPublished at "
        f"{r['first_forecast_s']:.1f}s (pre-serialising took {r['build_s']:.1f}s, excluded)"
    )
    print(
        f"forecaster.e2e_{label}.run_s: {r['run_s']:.1f} (recompute of {int(r['series'])} "
        "series inside the window: load + engine + store + outbox)"
    )
    print(
        f"forecaster.e2e_{label}.ingest_s: {r['first_forecast_s'] - r['run_s']:.1f} "
        "(until the run started, approx.: consume + upsert)"
    )
    print(f"forecaster.e2e_{label}.lines_per_s: {r['lines'] / r['total_s']:.0f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skus", type=int, default=10_000)
    parser.add_argument("--only", choices=["1loc", "3loc"], default=None)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as raw, infrastructure(Path(raw)) as (db, kafka):
        tmp = Path(raw)
        cases = [("1loc", 1), ("3loc", 3)]
        for tag, locs in cases:
            if args.only and args.only != tag:
                continue
            size = f"{args.skus // 1000}k" if args.skus % 1000 == 0 else str(args.skus)
            label = size + ("" if locs == 1 else "_3loc")
            result = asyncio.run(run_case(db, kafka, tmp, args.skus, locs))
            report(label, args.skus, locs, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
