"""``make chaos`` (and the small scenario in ``make test``): the journey under faults must
end exactly where the fault-free journey ends.

One private stack (embedded Postgres and broker, sandboxes and the six services as real
processes) with a fixed ``RESTOCK_NOW``. The Katana sandbox serves the same business under
two API keys (``chaos_katana.py``). A *reference* tenant runs load → forecast → plan →
send with no faults; then a *faulty* tenant runs the same journey while a seeded plan
(the seed is printed) kills -9 every service once (restarting it), pauses the broker,
restarts Postgres, sends 429 and 500 storms from the sandbox and puts one poison message
on ``sales.lines.v1``. Compared afterwards: every plan row's figures, the dashboard, the
purchase orders at the sandbox (each draft's order number exactly once, same contents),
the forecaster's sales lines (same count and ids, none lost or duplicated) and the dead
letters (only the poison message, in every service's DLQ).
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chaos_checks import EndState, capture, compare, dead_letters, produce_poison
from cluster import Cluster, Sizes
from demo import base_env, dev_tenants, infrastructure
from journey import Journey, Tenant

CHAOS_NOW = "2026-11-01T06:00:00+00:00"
KEYS = ("chaos-reference-key", "chaos-faulty-key")
SMALL = Sizes(katana_skus=12, xero_items=5, years=1.0, rate_window_s=0.5)
FULL = Sizes(katana_skus=200, xero_items=20, years=2.0, rate_window_s=1.0)
SERVICES = (
    "api-gateway",
    "connector-katana",
    "connector-xero",
    "forecaster",
    "planner",
    "po-gateway",
)


@dataclass(frozen=True)
class Fault:
    """One fault: ``delay_s`` after ``phase`` starts, ``kind`` on ``target``."""

    phase: str
    delay_s: float
    kind: str
    target: str
    amount: float = 0.0

    def describe(self) -> str:
        extra = f" ({self.amount:g})" if self.amount else ""
        return f"{self.phase}+{self.delay_s:.1f}s {self.kind} {self.target}{extra}"


def fault_plan(seed: int) -> list[Fault]:
    """The seeded faults: each service killed once, broker paused, Postgres restarted,
    429/500 storms during the load and the sends, one poison message."""
    rng = random.Random(seed)
    kill_phase = {
        "api-gateway": "load",
        "connector-xero": "load",
        "connector-katana": "load",
        "forecaster": "forecast",
        "planner": "plan",
        "po-gateway": "send",
    }
    faults = [Fault(kill_phase[s], rng.uniform(0.2, 2.5), "kill", s) for s in SERVICES]
    faults += [
        Fault("load", rng.uniform(0.0, 1.0), "storm_429", "katana-sandbox", rng.randint(3, 6)),
        Fault("load", rng.uniform(0.5, 2.0), "storm_500", "katana-sandbox", rng.randint(3, 5)),
        Fault("load", rng.uniform(0.0, 2.0), "poison", "sales.lines.v1"),
        Fault("load", rng.uniform(1.0, 3.0), "pause_broker", "broker", rng.uniform(2.0, 4.0)),
        Fault("forecast", rng.uniform(0.5, 2.0), "restart_postgres", "postgres", 1.0),
        Fault("send", rng.uniform(0.0, 0.5), "storm_500", "katana-sandbox", rng.randint(2, 4)),
    ]
    return sorted(faults, key=lambda f: (f.phase, f.delay_s))


@dataclass
class Injector:
    """Runs each phase's faults in a thread when the journey enters that phase."""

    cluster: Cluster
    pg: Any
    broker: Any
    faults: list[Fault]
    tenant_id: str
    log: Callable[[str], None]
    applied: list[str] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)
    threads: list[threading.Thread] = field(default_factory=list)

    def on_phase(self, phase: str) -> None:
        mine = [f for f in self.faults if f.phase == phase]
        if mine:
            thread = threading.Thread(target=self._run, args=(mine,), daemon=True)
            self.threads.append(thread)
            thread.start()

    def join(self) -> None:
        for thread in self.threads:
            thread.join()
        if self.errors:
            raise self.errors[0]

    def _run(self, faults: list[Fault]) -> None:
        started = time.monotonic()
        for fault in faults:
            time.sleep(max(0.0, started + fault.delay_s - time.monotonic()))
            try:
                self._apply(fault)
            except BaseException as exc:
                self.errors.append(exc)
                return
            self.applied.append(fault.describe())
            self.log(f"    fault: {fault.describe()}")

    def _apply(self, fault: Fault) -> None:
        if fault.kind == "kill":
            self.cluster.restart(fault.target)
        elif fault.kind in ("storm_429", "storm_500"):
            switch = "burst_429" if fault.kind == "storm_429" else "error_500"
            import httpx

            httpx.post(
                f"{self.cluster.urls.katana_sandbox}/_sandbox/faults",
                json={switch: int(fault.amount)},
                timeout=10,
            ).raise_for_status()
        elif fault.kind == "pause_broker":
            self.broker.pause()
            time.sleep(fault.amount)
            self.broker.resume()
        elif fault.kind == "restart_postgres":
            self.pg.restart(fault.amount)
        elif fault.kind == "poison":
            produce_poison(self.broker.bootstrap, fault.target, self.tenant_id)
        else:
            raise ValueError(fault.kind)


def journey_to_sent(journey: Journey, api_key: str) -> None:
    """Load, then draft only from a plan the settings → forecast → plan loop has finished
    with (the journey reads the databases, see ``pipeline_idle``): otherwise the order
    quantities sent depend on timing."""
    journey.connect_katana(api_key)
    journey.load()
    journey.wait_forecast_and_plan(quiet_s=5.0)
    journey.send_purchase_orders()


def run_chaos(sizes: Sizes, seed: int, folder: Path, log: Callable[[str], None]) -> dict[str, Any]:
    """Both journeys on one private stack; returns the two end states, the faults applied,
    the dead letters and the differences (empty when the faulty run matches)."""
    with infrastructure(folder) as (pg, broker):
        env = base_env(pg.url, broker.bootstrap, folder / "keys", CHAOS_NOW)
        # a forecaster killed mid-run recomputes its dirty SKUs after this quiet time,
        # which must stay below the journey's settle window
        env["FORECASTER_RECOMPUTE_QUIET_S"] = "2"
        cluster = Cluster(env=env, logs=folder / "logs", sizes=sizes)
        here = Path(__file__).resolve().parent
        cluster.argv_override["katana-sandbox"] = [
            sys.executable,
            str(here / "chaos_katana.py"),
            *("--port", str(cluster.ports["katana-sandbox"]), "--skus", str(sizes.katana_skus)),
            *("--years", str(sizes.years), "--seed", str(sizes.seed)),
            *("--rate-window", str(sizes.rate_window_s), "--api-key", KEYS[0]),
            *("--api-key", KEYS[1]),
        ]
        try:
            started = time.monotonic()
            cluster.start_all()
            log(f"  stack healthy in {time.monotonic() - started:.1f}s")
            reference, faulty = dev_tenants(
                env, [("Chaos Reference", "katana"), ("Chaos Faulty", "katana")]
            )
            states = {reference.name: _one_run(cluster, reference, KEYS[0], None, log)}
            log("  reference run done; now the faulty run")
            injector = Injector(cluster, pg, broker, fault_plan(seed), faulty.tenant_id, log)
            states[faulty.name] = _one_run(cluster, faulty, KEYS[1], injector, log)
            dlq = dead_letters(pg.url)
        finally:
            cluster.stop_all()
    ref, bad = states[reference.name], states[faulty.name]
    return {
        "seed": seed,
        "reference": ref,
        "faulty": bad,
        "dead_letters": dlq,
        "faults_applied": list(injector.applied),
        "stages": {"reference": reference.stages, "faulty": faulty.stages},
        "differences": compare(ref, bad, dlq),
    }


def _one_run(
    cluster: Cluster,
    tenant: Tenant,
    api_key: str,
    injector: Injector | None,
    log: Callable[[str], None],
) -> EndState:
    journey = Journey(
        cluster.urls,
        tenant,
        on_phase=injector.on_phase if injector else None,
        log=log,
        database_url=cluster.env["DATABASE_URL"],
    )
    try:
        journey_to_sent(journey, api_key)
        if injector is not None:
            journey.on_phase = lambda _name: None
            injector.join()
            log(f"    {len(injector.applied)} faults applied; waiting for the system to settle")
        journey.wait_forecast_and_plan(quiet_s=6.0)
        return capture(journey, cluster.urls.katana_sandbox, api_key, cluster.env)
    finally:
        journey.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=None, help="default: random (printed)")
    parser.add_argument("--small", action="store_true", help="the small tenant of make test")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(10**6)
    sizes = SMALL if args.small else FULL
    folder = Path(tempfile.mkdtemp(prefix="restock-chaos-"))
    print(
        f"chaos: seed {seed}, Katana {sizes.katana_skus} SKUs × {sizes.years:g} years, "
        f"RESTOCK_NOW={CHAOS_NOW}, logs in {folder / 'logs'}",
        flush=True,
    )
    for fault in fault_plan(seed):
        print(f"  planned: {fault.describe()}")

    def log(message: str) -> None:
        print(message, flush=True)

    result = run_chaos(sizes, seed, folder, log)
    ref = result["reference"]
    print(
        f"\n  plan rows {len(ref.plan)}, POs {len(ref.pos)}, sales lines {ref.sales_lines[0]}"
        f" (ids {hashlib.sha256(ref.sales_lines[1].encode()).hexdigest()[:12]})"
    )
    print(f"  dead letters: {[(d[0], d[1]) for d in result['dead_letters']]}")
    if result["differences"]:
        print(f"\nFAILED (seed {seed}):")
        for line in result["differences"]:
            print(f"  - {line}")
        return 1
    print(f"\nOK (seed {seed}): the faulty run ends exactly where the fault-free run ends")
    return 0


if __name__ == "__main__":
    sys.exit(main())
