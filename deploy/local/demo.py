"""``make demo``: the whole journey headlessly, on a private stack, then a summary.

Starts its own embedded Postgres and broker (in a temporary folder, on free ports, so it
never touches ``make up``'s data), both sandboxes and the six services, creates a tenant on
Katana ("Demo Manufacturing") and one on Xero ("Demo Distribution"), loads, waits for the
forecasts and the plan, drafts purchase orders from the plan, approves and sends them
until every one is Sent at the sandbox, prints the summary and stops everything.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cluster import KATANA_KEY, ROOT, Cluster, Sizes
from journey import Journey, Tenant, Urls, print_summary

DEMO_NOW = "2026-11-01T09:00:00+00:00"
"""The demo data's "today" (``restock_demodata``'s default end date), morning UTC."""

TENANTS = (("Demo Manufacturing", "katana"), ("Demo Distribution", "xero"))


@contextlib.contextmanager
def infrastructure(folder: Path) -> Iterator[tuple[Any, Any]]:
    """A private embedded Postgres and broker, stopped on exit."""
    from platform_kit.infra.broker import EmbeddedBroker
    from platform_kit.infra.postgres import EmbeddedPostgres

    (folder / "logs").mkdir(parents=True, exist_ok=True)
    pg = EmbeddedPostgres(folder / "pg", fast=True).start()
    try:
        broker = EmbeddedBroker(log_path=folder / "logs" / "broker.log").start()
        try:
            yield pg, broker
        finally:
            broker.stop()
    finally:
        pg.destroy()


def base_env(pg_url: str, bootstrap: str, keys_dir: Path, now: str | None) -> dict[str, str]:
    from platform_kit.auth import InternalKeys
    from platform_kit.crypto import KeyRing

    InternalKeys.load(keys_dir)
    KeyRing.load(keys_dir)
    env = {
        **os.environ,
        "DATABASE_URL": pg_url,
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "RESTOCK_KEYS_DIR": str(keys_dir),
    }
    if now:
        env["RESTOCK_NOW"] = now
    return env


def dev_tenant(env: dict[str, str], name: str, source: str) -> tuple[Tenant, dict[str, Any]]:
    """``python -m api_gateway dev-tenant`` (reuses an active tenant of that name)."""
    result = subprocess.run(
        [sys.executable, "-m", "api_gateway", "dev-tenant", "--name", name, "--if-missing"],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    info = json.loads(result.stdout.strip().splitlines()[-1])
    return Tenant(tenant_id=info["tenant_id"], token=info["token"], source=source, name=name), info


def dev_tenants(env: dict[str, str], specs: list[tuple[str, str]]) -> list[Tenant]:
    """Several dev tenants at once (each command takes seconds: imports, password hash)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(len(specs)) as pool:
        return list(pool.map(lambda spec: dev_tenant(env, *spec)[0], specs))


def run_journeys(
    urls: Urls, tenants: list[Tenant], *, send: bool, database_url: str, log: Any = None
) -> list[dict[str, Any]]:
    """Both tenants' journeys in parallel threads; returns their summaries in order.
    ``database_url`` lets the settle wait read the services' databases."""
    results: dict[int, dict[str, Any]] = {}
    errors: list[BaseException] = []

    def one(i: int, tenant: Tenant) -> None:
        journey = Journey(urls, tenant, log=log, database_url=database_url)
        try:
            if tenant.source == "katana":
                journey.connect_katana(KATANA_KEY)
            else:
                journey.connect_xero()
            journey.load()
            dash = journey.wait_forecast_and_plan()
            if send:
                journey.send_purchase_orders()
            results[i] = journey.summary(dash)
        except BaseException as exc:
            errors.append(exc)
        finally:
            journey.close()

    threads = [threading.Thread(target=one, args=(i, t)) for i, t in enumerate(tenants)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return [results[i] for i in range(len(tenants))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--katana-skus", type=int, default=200)
    parser.add_argument("--xero-items", type=int, default=200)
    parser.add_argument("--years", type=float, default=2.0)
    parser.add_argument("--now", default=DEMO_NOW, help="RESTOCK_NOW for every service")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    started = time.monotonic()
    folder = Path(tempfile.mkdtemp(prefix="restock-demo-"))
    sizes = Sizes(katana_skus=args.katana_skus, xero_items=args.xero_items, years=args.years)
    print(
        f"demo: Katana {sizes.katana_skus} SKUs, Xero {sizes.xero_items} items, "
        f"{sizes.years:g} years; RESTOCK_NOW={args.now}; logs in {folder / 'logs'}"
    )
    with infrastructure(folder) as (pg, broker):
        env = base_env(pg.url, broker.bootstrap, folder / "keys", args.now)
        cluster = Cluster(env=env, logs=folder / "logs", sizes=sizes)
        try:
            cluster.start_all()
            up_s = time.monotonic() - started
            print(f"  stack healthy in {up_s:.1f}s", flush=True)
            tenants = dev_tenants(env, list(TENANTS))
            rows = run_journeys(cluster.urls, tenants, send=True, database_url=env["DATABASE_URL"])
        finally:
            cluster.stop_all()
    print("\nRestock demo summary")
    print_summary(rows)
    print(f"\n  total {time.monotonic() - started:.1f}s (stack start {up_s:.1f}s)")
    if not args.keep:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
