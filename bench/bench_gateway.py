"""Gateway overhead: p95 of an order-plan page fetched through api-gateway's ``/api/v1``
(bearer check with revocation lookup, Postgres rate-limit buckets, internal token,
forwarding) minus p95 of the same page fetched from the planner directly with an
internal token. As in production, the planner and the gateway are separate uvicorn
processes (``python -m <service> api``) on the embedded Postgres; this process is only
the client, with one keep-alive connection per path. Calls alternate between the two
paths so both see the same machine load. Setup (migrations, sign-up, seeding, a partner
client's token) runs in-process before the servers start."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import numpy as np

from api_gateway.adapters.accounts import memberships_of, user_by_email
from api_gateway.app import build_spec as gateway_spec
from api_gateway.domain.model import Identity
from api_gateway.handlers.members import create_partner_client
from api_gateway.settings import Settings as GatewaySettings
from planner.app import build_spec as planner_spec
from planner.handlers.replan import replan_tenant
from planner.settings import Settings as PlannerSettings
from platform_kit.infra import free_port
from platform_kit.infra.postgres import EmbeddedPostgres
from platform_kit.service import create_app
from platform_kit.testing.servers import serve_app

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_planner import seed_db

SKUS = int(os.environ.get("BENCH_GATEWAY_SKUS", "2000"))
REQUESTS = int(os.environ.get("BENCH_GATEWAY_REQUESTS", "400"))
WARMUP = 30
TARGET_MS = 5.0
QUERY = {"status": "understocked", "sort": "-shortage_cost", "page_size": 50}
NOW = "2026-06-01T06:00:00Z"


async def _partner_token(gw: httpx.AsyncClient, runtime: object, email: str) -> str:
    async with runtime.uow() as uow:  # type: ignore[attr-defined]
        user = await user_by_email(uow.session, email)
        member = (await memberships_of(uow.session, user.user_id))[0]
    async with runtime.uow() as uow:  # type: ignore[attr-defined]
        client = await create_partner_client(
            uow,
            Identity(
                member.tenant_id, str(user.user_id), frozenset({"admin"}), user_id=user.user_id
            ),
            name="bench",
            role="viewer",
        )
    answer = await gw.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(client.client_id, client.client_secret),
    )
    answer.raise_for_status()
    return str(answer.json()["access_token"])


async def _setup(pg_url: str, tmp: Path, gw_port: int) -> tuple[str, str]:
    """Migrate both services, sign up, seed and plan; the partner and internal tokens."""
    common = {"DATABASE_URL": pg_url, "RESTOCK_KEYS_DIR": str(tmp / "keys"), "log_json": False}
    planner_settings = {**common, "run_replan": False, "RESTOCK_NOW": NOW}
    planner = create_app(planner_spec(PlannerSettings.model_validate(planner_settings)))
    gw_settings = {
        **common,
        "issuer": f"http://127.0.0.1:{gw_port}",
        "mailer": "file",
        "mail_file": str(tmp / "mail.jsonl"),
    }
    gateway = create_app(gateway_spec(GatewaySettings.model_validate(gw_settings)))
    async with (
        serve_app(planner),
        serve_app(gateway, port=gw_port) as gw_url,
        httpx.AsyncClient(base_url=gw_url) as gw,
    ):
        email = f"bench-{uuid.uuid4().hex[:6]}@example.com"
        account = {"email": email, "password": "bench password 123", "tenant_name": "B"}
        signed = await gw.post("/api/v1/signup", json=account)
        tenant = uuid.UUID(signed.json()["tenant_id"])
        runtime = planner.state.runtime
        await seed_db(runtime, tenant, SKUS, 1)
        await replan_tenant(runtime.uow, runtime.clock, tenant)
        access = await _partner_token(gw, gateway.state.runtime, email)
        internal = runtime.keys.mint_for(tenant, "bench", ["viewer"], ttl_s=3600)
    return access, internal


def _spawn(module: str, port: int, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", module, "api", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


async def _ready(url: str, proc: subprocess.Popen[bytes]) -> None:
    async with httpx.AsyncClient(base_url=url) as http:
        for _ in range(1200):
            if proc.poll() is not None:
                raise RuntimeError(f"{url}: server exited with {proc.returncode}")
            try:
                if (await http.get("/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError(f"{url}: not ready after 120 s")


def _cpu_ms(pid: int) -> float:
    """User + system CPU time of process ``pid`` so far (``/proc``, clock-tick resolution)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


async def _measure(
    gw_url: str, planner_url: str, access: str, internal: str, gw_pid: int
) -> tuple[dict[str, list[float]], float]:
    """Latency samples of both paths, and the gateway's CPU ms per request (a figure that
    machine load does not inflate)."""
    samples: dict[str, list[float]] = {"gateway": [], "direct": []}
    cpu_start = 0.0
    async with (
        httpx.AsyncClient(base_url=gw_url) as gw,
        httpx.AsyncClient(base_url=planner_url) as direct,
    ):
        paths = {
            "gateway": (gw, "/api/v1/plan", {"Authorization": f"Bearer {access}"}),
            "direct": (direct, "/v1/plan", {"Authorization": f"Bearer {internal}"}),
        }
        for i in range(WARMUP + REQUESTS):
            if i == WARMUP:
                cpu_start = _cpu_ms(gw_pid)
            for name, (http, path, headers) in paths.items():
                t0 = time.perf_counter()
                answer = await http.get(path, params=QUERY, headers=headers)
                elapsed = (time.perf_counter() - t0) * 1000
                if answer.status_code != 200 or not answer.json()["items"]:
                    raise RuntimeError(f"{name}: {answer.status_code} {answer.text[:200]}")
                if i >= WARMUP:
                    samples[name].append(elapsed)
    return samples, (_cpu_ms(gw_pid) - cpu_start) / REQUESTS


async def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="restock-bench-gw-"))
    pg = EmbeddedPostgres(tmp / "pg").start()
    procs: list[subprocess.Popen[bytes]] = []
    try:
        gw_port, planner_port = free_port(), free_port()
        access, internal = await _setup(pg.url, tmp, gw_port)
        planner_url = f"http://127.0.0.1:{planner_port}"
        gw_url = f"http://127.0.0.1:{gw_port}"
        env = {
            **os.environ,
            "DATABASE_URL": pg.url,
            "RESTOCK_KEYS_DIR": str(tmp / "keys"),
            "RESTOCK_NOW": NOW,
            "PLANNER_RUN_REPLAN": "false",
            "PLANNER_LOG_LEVEL": "WARNING",
            "API_GATEWAY_LOG_LEVEL": "WARNING",
            "API_GATEWAY_ISSUER": gw_url,
            "API_GATEWAY_PLANNER_URL": planner_url,
            "API_GATEWAY_MAILER": "file",
            "API_GATEWAY_MAIL_FILE": str(tmp / "mail.jsonl"),
            "API_GATEWAY_SIGNING_KEY_CACHE_S": "10",
            "API_GATEWAY_RATE_CLIENT_BURST": "1e9",
            "API_GATEWAY_RATE_TENANT_BURST": "1e9",
        }
        procs.append(_spawn("planner", planner_port, env, tmp / "planner.log"))
        procs.append(_spawn("api_gateway", gw_port, env, tmp / "gateway.log"))
        await _ready(planner_url, procs[0])
        await _ready(gw_url, procs[1])
        logging.getLogger("httpx").setLevel(logging.WARNING)
        samples, gw_cpu = await _measure(gw_url, planner_url, access, internal, procs[1].pid)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)
        pg.destroy()
    g50, g95 = np.percentile(samples["gateway"], [50, 95])
    d50, d95 = np.percentile(samples["direct"], [50, 95])
    print(
        f"gateway.overhead_p95_ms: {g95 - d95:.2f} (target <= {TARGET_MS:.0f}; p95 through the "
        f"gateway {g95:.2f} - direct {d95:.2f}; p50 {g50:.2f} vs {d50:.2f}, overhead "
        f"{g50 - d50:.2f}; {REQUESTS} alternating GET /plan pages of 50 rows, {SKUS}-SKU plan, "
        f"after {WARMUP} warm-up each; gateway and planner in their own uvicorn processes)"
    )
    print(f"gateway.cpu_ms_per_request: {gw_cpu:.2f} (gateway process, user + system)")


if __name__ == "__main__":
    asyncio.run(main())
