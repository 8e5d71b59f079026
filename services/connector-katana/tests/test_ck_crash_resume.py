"""A connector process killed mid-job; another runtime resumes from the last page."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from collections import Counter
from typing import Any

import httpx
import pytest
from ck_support import Api, connector, outbox, sql

from platform_kit.infra import free_port

pytestmark = pytest.mark.asyncio


def env_for(settings: Any) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": settings.database_url,
            "KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
            "RESTOCK_KEYS_DIR": str(settings.keys_dir),
        }
    )
    for name in (
        "database_name",
        "katana_base_url",
        "rate_window_s",
        "rate_headroom",
        "rate_po_reserve",
        "page_limit",
        "job_lease_s",
        "job_poll_s",
        "scheduler_enabled",
        "consumer_session_timeout_ms",
    ):
        env[f"CONNECTOR_KATANA_{name.upper()}"] = str(getattr(settings, name))
    return env


async def test_killed_process_resumes_from_last_completed_page(
    sandbox: Any, make_settings: Any, mint_token: Any, tenant: uuid.UUID
) -> None:
    settings = make_settings(sandbox, page_limit=5, job_lease_s=2.0)
    port = free_port()
    proc = subprocess.Popen(  # noqa: ASYNC220 - a real process to SIGKILL
        [sys.executable, "-m", "connector_katana", "api", "--port", str(port)],
        env=env_for(settings),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as probe:
            for _ in range(300):
                try:
                    if (await probe.get("/readyz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
        api = Api(f"http://127.0.0.1:{port}", mint_token(tenant))
        conn = await api.connect()
        job = await api.load(conn["connection_id"], entities=["sales_orders"])
        for _ in range(600):
            progress = (await api.job(job["job_id"]))["progress"][0]
            if progress["pages_done"] >= 3:
                break
            await asyncio.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        await api.close()
    finally:
        if proc.poll() is None:
            proc.kill()
    state = (await sql(settings, "select status, progress from load_job"))[0]
    killed_at = state.progress["reads"]["sales_orders"]["page"]
    total = state.progress["reads"]["sales_orders"]["total_pages"]
    assert state.status == "running" and 3 <= killed_at < total
    sandbox.reset_stats()
    async with connector(settings) as (base, _app):
        api = Api(base, mint_token(tenant))
        done = await api.wait_job(job["job_id"])
        await api.close()
    assert done["status"] == "succeeded", done
    assert done["progress"][0]["pages_done"] == total
    assert sandbox.stats()["total_requests"] <= total - killed_at + 1, "resumed, not restarted"
    rows = await outbox(settings)
    lines = Counter(
        r["line_id"]
        for row in rows
        if row["event_type"] == "sales.lines_changed"
        for r in row["envelope"]["payload"]["records"]
    )
    with sandbox.client() as kc:
        orders = [
            o
            for page in range(1, total // 50 + 2)
            for o in kc.get("/sales_orders", params={"limit": 250, "page": page}).json()["data"]
        ]
    assert set(lines) == {str(r["id"]) for o in orders for r in o["sales_order_rows"]}
    assert max(lines.values()) == 1, "no line published twice"
    seqs = [
        row["envelope"]["payload"]["batch_seq"]
        for row in rows
        if row["event_type"] == "sales.lines_changed"
    ]
    assert seqs == list(range(1, len(seqs) + 1))
