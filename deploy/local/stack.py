"""The local stack behind ``make up`` / ``make down`` (architecture §5).

Builds ``web/dist`` when the web sources changed (``web/scripts/build.py``). Starts,
unless pointed elsewhere by ``DATABASE_URL`` / ``KAFKA_BOOTSTRAP_SERVERS``, the embedded
Postgres (data kept in ``.local/pg``) and the embedded broker, then the Katana and Xero
sandboxes and the six services (one process each; consumers and relay run
inside), waits until all are healthy and prints where everything listens. Then, unless
``--no-demo``, it runs the demo journey (``journey.py``): the dev tenant connected to the
Katana sandbox and a second one to the Xero sandbox, loaded, forecast and planned, and
prints the summary and the sign-ins. The connectors point at the sandboxes, whose rate
windows are 1 s (60 s at the real providers); ``RESTOCK_NOW`` defaults to the demo data's
today. Ctrl-C or ``make down`` stops everything cleanly. Logs go to
``.local/logs/<name>.log``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cluster import DEFAULT_PORTS, Sizes, provider_env, sandbox_argv, urls, xero_callback

ROOT = Path(__file__).resolve().parents[2]
LOCAL = ROOT / ".local"
PID_FILE = LOCAL / "stack.pid"


@dataclass(frozen=True)
class Proc:
    name: str
    module: str
    port: int
    env_prefix: str
    args: tuple[str, ...] = ("api",)
    health: str = "/healthz"


SERVICES = (
    Proc("api-gateway", "api_gateway", 8000, "API_GATEWAY_"),
    Proc("connector-katana", "connector_katana", 8001, "CONNECTOR_KATANA_"),
    Proc("connector-xero", "connector_xero", 8002, "CONNECTOR_XERO_"),
    Proc("forecaster", "forecaster", 8003, "FORECASTER_"),
    Proc("planner", "planner", 8004, "PLANNER_"),
    Proc("po-gateway", "po_gateway", 8005, "PO_GATEWAY_"),
)
SANDBOXES = tuple(
    Proc(
        name,
        module,
        DEFAULT_PORTS[name],
        "",
        tuple(sandbox_argv(name, DEFAULT_PORTS[name], Sizes(), xero_callback(DEFAULT_PORTS))[1:]),
        health="",
    )
    for name, module in (("katana-sandbox", "katana_sandbox"), ("xero-sandbox", "xero_sandbox"))
)
PG_PORT = int(os.environ.get("RESTOCK_PG_PORT", "55432"))
BROKER_PORT = int(os.environ.get("RESTOCK_BROKER_PORT", "59092"))


def _healthy(url: str) -> bool:
    """200 from the URL; a bare ``http://host:port`` (sandboxes) only needs a TCP accept."""
    if url.count("/") == 2:
        import socket

        host, port = url.removeprefix("http://").split(":")
        try:
            with socket.create_connection((host, int(port)), timeout=1):
                return True
        except OSError:
            return False
    try:
        with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 - localhost only
            return bool(response.status == 200)
    except OSError:
        return False


def _start(proc: Proc, env: dict[str, str], logs: Path) -> subprocess.Popen[bytes]:
    args = [sys.executable, "-m", proc.module, *proc.args]
    child_env = dict(env)
    if proc.env_prefix:
        child_env[f"{proc.env_prefix}PORT"] = str(proc.port)
    log = open(logs / f"{proc.name}.log", "ab")  # noqa: SIM115 - owned by the child
    return subprocess.Popen(
        args, env=child_env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True
    )


def _stop_children(children: dict[str, subprocess.Popen[bytes]]) -> None:
    for child in children.values():
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 25
    for name, child in children.items():
        try:
            child.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            print(f"  {name} did not stop in time; killing", flush=True)
            child.kill()


def up(args: argparse.Namespace) -> int:
    started = time.monotonic()
    LOCAL.mkdir(exist_ok=True)
    logs = LOCAL / "logs"
    logs.mkdir(exist_ok=True)
    if PID_FILE.exists():
        old = int(PID_FILE.read_text())
        try:
            os.kill(old, 0)
            print(f"the stack already runs (pid {old}); run 'make down' first", file=sys.stderr)
            return 1
        except ProcessLookupError:
            PID_FILE.unlink()

    from platform_kit.auth import InternalKeys
    from platform_kit.crypto import KeyRing

    keys_dir = Path(os.environ.get("RESTOCK_KEYS_DIR", LOCAL / "keys"))
    InternalKeys.load(keys_dir)
    KeyRing.load(keys_dir)
    env = {**os.environ, "RESTOCK_KEYS_DIR": str(keys_dir)}
    env.update(provider_env(DEFAULT_PORTS, Sizes()))
    web = f"http://127.0.0.1:{DEFAULT_PORTS['api-gateway']}"
    callbacks = [f"{origin}/auth/callback" for origin in (web, "http://127.0.0.1:5173")]
    env.setdefault("API_GATEWAY_WEB_REDIRECT_URIS", json.dumps(callbacks))
    env.setdefault("CONNECTOR_XERO_UI_RETURN_URL", f"{web}/data")
    if args.demo:
        from demo import DEMO_NOW

        env.setdefault("RESTOCK_NOW", DEMO_NOW)

    pg = broker = None
    if not env.get("DATABASE_URL"):
        from platform_kit.infra.postgres import EmbeddedPostgres

        pg = EmbeddedPostgres(LOCAL / "pg", PG_PORT, fast=True).start()
        env["DATABASE_URL"] = pg.url
    if not env.get("KAFKA_BOOTSTRAP_SERVERS"):
        from platform_kit.infra.broker import EmbeddedBroker

        broker = EmbeddedBroker(BROKER_PORT, log_path=logs / "broker.log").start()
        env["KAFKA_BOOTSTRAP_SERVERS"] = broker.bootstrap

    if (ROOT / "web" / "package.json").is_file():
        built = subprocess.run(
            [sys.executable, str(ROOT / "web" / "scripts" / "build.py")], cwd=ROOT
        )
        if built.returncode != 0:
            print("the web app did not build (see above)", file=sys.stderr)
            return 1

    procs = [
        p
        for p in SANDBOXES
        if importlib.util.find_spec(p.module) and importlib.util.find_spec(f"{p.module}.__main__")
    ] + list(SERVICES)
    children: dict[str, subprocess.Popen[bytes]] = {}
    stopping = {"flag": False}

    def on_signal(signum: int, _frame: object) -> None:
        stopping["flag"] = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    PID_FILE.write_text(str(os.getpid()))
    try:
        for proc in procs:
            children[proc.name] = _start(proc, env, logs)
        pending = {p.name: p for p in procs}
        deadline = time.monotonic() + args.timeout
        while pending and not stopping["flag"]:
            for name, proc in list(pending.items()):
                if children[name].poll() is not None:
                    print(
                        f"{name} exited during startup; see {logs / (name + '.log')}",
                        file=sys.stderr,
                    )
                    return 1
                if _healthy(f"http://127.0.0.1:{proc.port}{proc.health}"):
                    del pending[name]
            if time.monotonic() > deadline:
                print(f"not healthy after {args.timeout}s: {', '.join(pending)}", file=sys.stderr)
                return 1
            time.sleep(0.2)
        if stopping["flag"]:
            return 0
        _print_table(procs, env, time.monotonic() - started)
        if args.dev_tenant:
            info = _dev_tenant(env)
            if args.demo and info is not None and not args.exit_when_healthy:
                journey = threading.Thread(target=_demo_journey, args=(env, info), daemon=True)
                journey.start()
                while journey.is_alive() and not stopping["flag"]:
                    journey.join(0.5)
        if args.exit_when_healthy:
            return 0
        while not stopping["flag"]:
            for name, child in children.items():
                if child.poll() is not None:
                    print(
                        f"{name} exited with {child.returncode}; see {logs / (name + '.log')}",
                        file=sys.stderr,
                        flush=True,
                    )
                    stopping["flag"] = True
                    break
            time.sleep(0.5)
        return 0
    finally:
        print("stopping…", flush=True)
        _stop_children(children)
        if broker is not None:
            broker.stop()
        if pg is not None:
            pg.stop()
        PID_FILE.unlink(missing_ok=True)
        print("stopped", flush=True)


def _print_table(procs: list[Proc], env: dict[str, str], seconds: float) -> None:
    print(f"\nRestock is up in {seconds:.1f}s\n", flush=True)
    print(f"  {'component':<18} {'url':<28} docs / metrics")
    for proc in procs:
        base = f"http://127.0.0.1:{proc.port}"
        extra = f"{base}/docs  {base}/metrics" if proc.env_prefix else f"{base} (sandbox)"
        print(f"  {proc.name:<18} {base:<28} {extra}")
    print(f"  {'postgres':<18} {env['DATABASE_URL']}")
    print(f"  {'broker':<18} {env['KAFKA_BOOTSTRAP_SERVERS']}")
    print("\n  metrics: GET /metrics on each service above (Prometheus text format); scrape all")
    print("  with: prometheus --config.file=deploy/prometheus/prometheus.local.yml \\")
    print("          --storage.tsdb.path=.local/prometheus   (then http://127.0.0.1:9090)")
    print(f"\n  logs: {LOCAL / 'logs'}   stop: Ctrl-C or 'make down'\n", flush=True)


def _dev_tenant(env: dict[str, str]) -> dict[str, Any] | None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "api_gateway",
            "dev-tenant",
            "--name",
            "Demo Manufacturing",
            "--if-missing",
        ],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    if result.returncode != 0:
        print(f"dev tenant failed: {result.stderr[-1000:]}", file=sys.stderr)
        return None
    info = json.loads(result.stdout.strip().splitlines()[-1])
    print(f"  dev tenant {info['tenant_id']} ({info['name']})")
    if info.get("admin_email"):
        print(
            f"  sign in as {info['admin_email']} / {info['admin_password']} "
            "(shown once, when the tenant is created)"
        )
    print(f"  internal token (admin, 12 h): {info['token']}\n", flush=True)
    return dict(info)


def _demo_journey(env: dict[str, str], info: dict[str, Any]) -> None:
    """Connect the dev tenant to the Katana sandbox and a second one ("Demo Distribution")
    to the Xero sandbox, load both, wait for forecasts and plans, print the summary."""
    from demo import dev_tenant, run_journeys
    from journey import Tenant, print_summary

    started = time.monotonic()
    katana = Tenant(info["tenant_id"], info["token"], "katana", info["name"])
    xero, xero_info = dev_tenant(env, "Demo Distribution", "xero")
    print("demo journey: connect, load, forecast, plan (make demo also sends POs)…", flush=True)
    try:
        rows = run_journeys(
            urls(DEFAULT_PORTS), [katana, xero], send=False, database_url=env["DATABASE_URL"]
        )
    except (RuntimeError, TimeoutError) as exc:
        print(f"demo journey failed: {exc}; see {LOCAL / 'logs'}", file=sys.stderr, flush=True)
        return
    print_summary(rows)
    gateway = f"http://127.0.0.1:{DEFAULT_PORTS['api-gateway']}"
    print(f"\n  demo journey done in {time.monotonic() - started:.1f}s")
    print(f"  web app: {gateway}/")
    for tenant, tinfo in ((katana, info), (xero, xero_info)):
        login = (
            f"{tinfo['admin_email']} / {tinfo['admin_password']}"
            if tinfo.get("admin_password")
            else "its admin (password printed when it was created)"
        )
        print(f"  {tenant.name} ({tenant.source}): sign in as {login}")
    print(f"  {xero.name} internal token (admin, 12 h): {xero.token}\n", flush=True)


def down(_args: argparse.Namespace) -> int:
    if not PID_FILE.exists():
        print("the stack is not running")
        return 0
    pid = int(PID_FILE.read_text())
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        PID_FILE.unlink(missing_ok=True)
        print("the stack was not running (stale pid file removed)")
        return 0
    for _ in range(600):
        if not PID_FILE.exists():
            print("stopped")
            return 0
        time.sleep(0.1)
    print("the stack did not stop within 60 s", file=sys.stderr)
    return 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    up_parser = sub.add_parser("up")
    up_parser.add_argument("--timeout", type=float, default=120.0)
    up_parser.add_argument(
        "--exit-when-healthy",
        action="store_true",
        help="stop everything again once healthy (smoke check)",
    )
    up_parser.add_argument("--no-dev-tenant", dest="dev_tenant", action="store_false")
    up_parser.add_argument(
        "--no-demo",
        dest="demo",
        action="store_false",
        help="skip the demo journey (Katana + Xero tenants loaded, forecast and planned)",
    )
    sub.add_parser("down")
    args = parser.parse_args()
    return up(args) if args.command == "up" else down(args)


if __name__ == "__main__":
    sys.exit(main())
