"""Sandboxes and services as real child processes, on any ports, for the demo journey and
the chaos runs: start, wait healthy, kill -9, restart, stop.

The connectors are pointed at the sandboxes with short rate windows (``rate_window_s``;
Katana and Xero use 60 s), so a demo load is bound by the same budgets at a faster pace.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from journey import Urls

ROOT = Path(__file__).resolve().parents[2]
KATANA_KEY = "demo-katana-key"
XERO_CLIENT_ID = "RESTOCKDEMOCLIENT000000000000001"
XERO_CLIENT_SECRET = "restock-demo-secret"
XERO_WEBHOOK_KEY = "restock-demo-webhook-key-0123456789"

# name -> (module, settings env prefix); the order is the start order
SERVICES = {
    "api-gateway": ("api_gateway", "API_GATEWAY_"),
    "connector-katana": ("connector_katana", "CONNECTOR_KATANA_"),
    "connector-xero": ("connector_xero", "CONNECTOR_XERO_"),
    "forecaster": ("forecaster", "FORECASTER_"),
    "planner": ("planner", "PLANNER_"),
    "po-gateway": ("po_gateway", "PO_GATEWAY_"),
}
SANDBOXES = ("katana-sandbox", "xero-sandbox")
DEFAULT_PORTS = {
    "api-gateway": 8000,
    "connector-katana": 8001,
    "connector-xero": 8002,
    "forecaster": 8003,
    "planner": 8004,
    "po-gateway": 8005,
    "katana-sandbox": 8701,
    "xero-sandbox": 8702,
}


def free_ports() -> dict[str, int]:
    """One free local port per component."""
    ports = {}
    for name in DEFAULT_PORTS:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            ports[name] = s.getsockname()[1]
    return ports


def urls(ports: dict[str, int]) -> Urls:
    def u(name: str) -> str:
        return f"http://127.0.0.1:{ports[name]}"

    return Urls(
        gateway=u("api-gateway"),
        katana=u("connector-katana"),
        xero=u("connector-xero"),
        forecaster=u("forecaster"),
        planner=u("planner"),
        po=u("po-gateway"),
        katana_sandbox=u("katana-sandbox"),
        xero_sandbox=u("xero-sandbox"),
    )


@dataclass(frozen=True)
class Sizes:
    """Demo data sizes and the providers' rate window (seconds)."""

    katana_skus: int = 200
    xero_items: int = 200
    years: float = 2.0
    rate_window_s: float = 1.0
    seed: int = 42


def sandbox_argv(name: str, port: int, sizes: Sizes, callback: str) -> list[str]:
    if name == "katana-sandbox":
        return [
            "katana_sandbox",
            *("--port", str(port), "--skus", str(sizes.katana_skus), "--years", str(sizes.years)),
            *("--seed", str(sizes.seed), "--api-key", KATANA_KEY),
            *("--rate-window", str(sizes.rate_window_s)),
        ]
    return [
        "xero_sandbox",
        *("--port", str(port), "--items", str(sizes.xero_items), "--years", str(sizes.years)),
        *("--seed", str(sizes.seed), "--minute-window", str(sizes.rate_window_s)),
        *("--client-id", XERO_CLIENT_ID, "--client-secret", XERO_CLIENT_SECRET),
        *("--redirect-uri", callback, "--auto-consent"),
    ]


def provider_env(ports: dict[str, int], sizes: Sizes) -> dict[str, str]:
    """Settings that point the connectors at the sandboxes and po-gateway at the planner."""
    xero = f"http://127.0.0.1:{ports['xero-sandbox']}"
    return {
        "CONNECTOR_KATANA_KATANA_BASE_URL": f"http://127.0.0.1:{ports['katana-sandbox']}/v1",
        "CONNECTOR_KATANA_RATE_WINDOW_S": str(sizes.rate_window_s),
        "CONNECTOR_KATANA_JOB_LEASE_S": "5",
        "CONNECTOR_XERO_CLIENT_ID": XERO_CLIENT_ID,
        "CONNECTOR_XERO_CLIENT_SECRET": XERO_CLIENT_SECRET,
        "CONNECTOR_XERO_REDIRECT_URI": xero_callback(ports),
        "CONNECTOR_XERO_AUTHORIZE_URL": f"{xero}/identity/connect/authorize",
        "CONNECTOR_XERO_TOKEN_URL": f"{xero}/connect/token",
        "CONNECTOR_XERO_REVOCATION_URL": f"{xero}/connect/revocation",
        "CONNECTOR_XERO_CONNECTIONS_URL": f"{xero}/connections",
        "CONNECTOR_XERO_API_URL": f"{xero}/api.xro/2.0",
        "CONNECTOR_XERO_WEBHOOK_KEY": XERO_WEBHOOK_KEY,
        "CONNECTOR_XERO_BUDGET_WINDOW_S": str(sizes.rate_window_s),
        "CONNECTOR_XERO_BUDGET_WINDOW_MARGIN_S": str(min(0.5, sizes.rate_window_s / 4)),
        "CONNECTOR_XERO_JOB_LEASE_S": "5",
        "CONNECTOR_XERO_JOB_RETRY_BACKOFF_S": "2",
        "CONNECTOR_XERO_PO_RETRY_BACKOFF_S": "1",
        "PO_GATEWAY_PLANNER_URL": f"http://127.0.0.1:{ports['planner']}",
    }


def xero_callback(ports: dict[str, int]) -> str:
    return f"http://127.0.0.1:{ports['connector-xero']}/oauth/xero/callback"


def healthy(name: str, port: int) -> bool:
    """Services answer ``/healthz``; sandboxes only need to accept connections."""
    if name in SANDBOXES:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            return False
    try:
        url = f"http://127.0.0.1:{port}/healthz"
        with urllib.request.urlopen(url, timeout=1) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@dataclass
class Cluster:
    """Child processes of one stack; ``env`` carries DATABASE_URL, the broker, keys and
    RESTOCK_NOW. Logs go to ``logs/<name>.log`` (appended across restarts)."""

    env: dict[str, str]
    logs: Path
    ports: dict[str, int] = field(default_factory=free_ports)
    sizes: Sizes = field(default_factory=Sizes)
    children: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    argv_override: dict[str, list[str]] = field(default_factory=dict)
    """Full command lines that replace a component's default one."""

    @property
    def urls(self) -> Urls:
        return urls(self.ports)

    def argv(self, name: str) -> list[str]:
        if name in self.argv_override:
            return list(self.argv_override[name])
        if name in SANDBOXES:
            args = sandbox_argv(name, self.ports[name], self.sizes, xero_callback(self.ports))
        else:
            args = [SERVICES[name][0], "api"]
        return [sys.executable, "-m", *args]

    def start(self, name: str) -> None:
        env = {**self.env, **provider_env(self.ports, self.sizes)}
        if name in SERVICES:
            env[f"{SERVICES[name][1]}PORT"] = str(self.ports[name])
        self.logs.mkdir(parents=True, exist_ok=True)
        with open(self.logs / f"{name}.log", "ab") as log:
            self.children[name] = subprocess.Popen(
                self.argv(name),
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=ROOT,
                start_new_session=True,
            )

    def start_all(self, timeout_s: float = 180.0) -> None:
        for name in (*SANDBOXES, *SERVICES):
            self.start(name)
        self.wait_healthy(list(self.children), timeout_s)

    def wait_healthy(self, names: list[str], timeout_s: float = 120.0) -> None:
        pending = set(names)
        deadline = time.monotonic() + timeout_s
        while pending:
            for name in list(pending):
                if self.children[name].poll() is not None:
                    raise RuntimeError(f"{name} exited; see {self.logs / (name + '.log')}")
                if healthy(name, self.ports[name]):
                    pending.discard(name)
            if time.monotonic() > deadline:
                raise TimeoutError(f"not healthy after {timeout_s:.0f}s: {sorted(pending)}")
            time.sleep(0.2)

    def kill9(self, name: str) -> None:
        """SIGKILL the process (no shutdown hooks run) and reap it."""
        child = self.children[name]
        if child.poll() is None:
            os.kill(child.pid, signal.SIGKILL)
        child.wait()

    def restart(self, name: str, wait: bool = False) -> None:
        self.kill9(name)
        self.start(name)
        if wait:
            self.wait_healthy([name])

    def stop_all(self) -> None:
        for child in self.children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 20
        for child in self.children.values():
            try:
                child.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
