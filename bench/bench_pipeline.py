"""Benchmark: one tenant through the whole pipeline, sandbox → connector-katana → broker →
forecaster → planner → po-gateway (→ the sandbox again, POs Sent).

A private stack (``deploy/local/cluster.py``: embedded Postgres and broker, the sandboxes
and the six services as separate processes) with the Katana sandbox seeded with
``--skus`` SKUs (default 10,000) × ``--years`` (2) and a ``--rate-window`` of 0.01 s for
both the sandbox and the connector (the provider's 60 requests per window stay in force,
so the budget code runs, but the pipeline, not the provider's limit, sets the pace).
Stages and their windows: load = load job queued → finished (records/s over every stream,
sales lines/s); forecast = load finished → forecasts present (and the run's own duration
and series/s from ``/forecast-runs``); plan = until the plan has not changed for the quiet
window (subtracted); send = drafts → every PO Sent at the sandbox. Also end to end (connect
→ all Sent) and peak memory (VmHWM) of every process and of the embedded broker, which
keeps every event in memory.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "deploy" / "local"))

from cluster import KATANA_KEY, Cluster, Sizes
from demo import DEMO_NOW, base_env, dev_tenant, infrastructure
from journey import Journey

QUIET_S = 6.0


def peak_rss_mb(pid: int) -> float:
    """VmHWM of a live process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skus", type=int, default=10_000)
    parser.add_argument("--years", type=float, default=2.0)
    parser.add_argument("--rate-window", type=float, default=0.01)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="restock-bench-pipeline-"))
    sizes = Sizes(
        katana_skus=args.skus, xero_items=5, years=args.years, rate_window_s=args.rate_window
    )
    print(
        f"pipeline: Katana sandbox {args.skus} SKUs × {args.years:g} years, rate window "
        f"{args.rate_window} s, RESTOCK_NOW={DEMO_NOW}; logs in {folder / 'logs'}",
        flush=True,
    )
    with infrastructure(folder) as (pg, broker):
        env = base_env(pg.url, broker.bootstrap, folder / "keys", DEMO_NOW)
        cluster = Cluster(env=env, logs=folder / "logs", sizes=sizes)
        try:
            t0 = time.monotonic()
            cluster.start_all(timeout_s=1800)
            print(f"pipeline.stack_start_s: {time.monotonic() - t0:.1f} (sandbox seeding included)")
            tenant = dev_tenant(env, "Bench Pipeline", "katana")[0]
            journey = Journey(
                cluster.urls, tenant, timeout_s=7200, database_url=env["DATABASE_URL"]
            )
            started = time.monotonic()
            journey.connect_katana(KATANA_KEY)
            job = journey.load()
            journey.wait_forecast_and_plan(quiet_s=QUIET_S)
            runs = journey.call("GET", f"{cluster.urls.forecaster}/forecast-runs?limit=50").json()
            plan_total = journey.call("GET", f"{cluster.urls.planner}/v1/plan?page_size=1").json()
            sent = journey.send_purchase_orders()
            e2e = time.monotonic() - started
            memory = {n: peak_rss_mb(c.pid) for n, c in cluster.children.items()}
            if broker.process is not None:
                memory["broker (memory storage)"] = peak_rss_mb(broker.process.pid)
        finally:
            cluster.stop_all()
    stages = tenant.stages
    streams = job.get("streams") or {}
    records = sum(int(s.get("records", 0)) for s in streams.values() if isinstance(s, dict))
    lines = int((streams.get("sales_lines") or {}).get("records", 0))
    print(f"pipeline.load_s: {stages['load']:.1f} ({records} records over {len(streams)} streams)")
    print(
        f"pipeline.load_records_per_s: {records / stages['load']:.0f} "
        f"(sales lines {lines}, {lines / stages['load']:.0f}/s)"
    )
    series = sum(r["n_series"] for r in runs)
    run_s = sum(r["duration_s"] or 0 for r in runs)
    print(f"pipeline.forecast_wait_s: {stages['forecast']:.1f} (load end → forecasts present)")
    print(
        f"pipeline.forecast_runs: {len(runs)} runs, {series} series in {run_s:.1f}s "
        f"({series / max(run_s, 1e-9):.0f} series/s inside the runs)"
    )
    plan_s = max(0.0, stages["plan"] - QUIET_S)
    rows = plan_total["total"]
    print(
        f"pipeline.plan_s: {plan_s:.1f} ({rows} rows, {rows / max(plan_s, 1e-9):.0f} rows/s; "
        f"until the plan settles, the {QUIET_S:g} s quiet window subtracted)"
    )
    n_lines = sum(len(d.get("lines") or []) for d in sent)
    print(
        f"pipeline.send_s: {stages['send']:.1f} ({len(sent)} POs with {n_lines} lines Sent, "
        f"{len(sent) / stages['send']:.2f} POs/s)"
    )
    print(f"pipeline.end_to_end_s: {e2e:.1f} (connect → every PO Sent)")
    for name, mb in sorted(memory.items()):
        print(f"pipeline.peak_rss_mb.{name}: {mb:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
