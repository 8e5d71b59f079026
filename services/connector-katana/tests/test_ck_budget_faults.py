"""Rate budget in Postgres: 429 bursts, two runtimes sharing one key, PO priority."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from ck_support import API_KEY, Api, connector, db_url, sql

from connector_katana.adapters.budget import BULK, PRIORITY, RateBudget, key_id_of
from connector_katana.adapters.orm import metadata
from connector_katana.app import build_spec
from platform_kit.db import Database
from platform_kit.db.migrations import ensure_database, upgrade_to_head

pytestmark = pytest.mark.asyncio


async def test_forced_429_burst_pauses_the_key_and_the_load_completes(
    sandbox: Any, make_settings: Any, mint_token: Any, tenant: uuid.UUID
) -> None:
    settings = make_settings(sandbox)
    async with connector(settings) as (base, _app):
        api = Api(base, mint_token(tenant))
        conn = await api.connect()
        sandbox.set_faults(burst_429=4)
        job = await api.wait_job((await api.load(conn["connection_id"]))["job_id"])
        await api.close()
    assert job["status"] == "succeeded", job
    stats = sandbox.stats()
    assert stats["faults"].get("429") == 4
    assert stats["total_429"] == 4, "only the injected 429s; none from our own pacing"
    rows = await sql(settings, "select throttled_total, paused_until from rate_budget")
    assert rows[0].throttled_total == 4 and rows[0].paused_until is not None


async def test_two_runtimes_share_one_budget_without_429(
    sandbox: Any, make_settings: Any, mint_token: Any
) -> None:
    settings = make_settings(sandbox, page_limit=10)
    tenants = [uuid.uuid4(), uuid.uuid4()]
    async with connector(settings) as (base_a, _a), connector(settings) as (base_b, _b):
        apis = [Api(base_a, mint_token(tenants[0])), Api(base_b, mint_token(tenants[1]))]
        conns = [await api.connect() for api in apis]
        jobs = [
            await api.load(c["connection_id"], entities=["sales_orders", "purchase_orders"])
            for api, c in zip(apis, conns)
        ]
        done = await asyncio.gather(
            *(api.wait_job(j["job_id"], limit_s=120) for api, j in zip(apis, jobs))
        )
        for api in apis:
            await api.close()
    assert [d["status"] for d in done] == ["succeeded", "succeeded"]
    runners = await sql(settings, "select distinct lease_owner from load_job")
    assert len(runners) == 2, "each runtime ran one of the jobs"
    stats = sandbox.stats()
    assert stats["total_429"] == 0
    assert stats["total_requests"] > 120, "enough traffic to need several windows"
    per_window = await sql(
        settings,
        "select max(n) as n from (select count(*) over "
        "(order by at range between interval '0.5 seconds' preceding "
        "and current row) as n from rate_request) w",
    )
    assert per_window[0].n <= 60 - settings.rate_headroom


async def test_budget_is_shared_across_databases_handles_and_po_gets_the_reserve(
    pg_url: str, unique_name: str, make_settings: Any, sandbox: Any
) -> None:
    settings = make_settings(sandbox)
    await ensure_database(pg_url, unique_name)
    await upgrade_to_head(build_spec(settings).migrations, db_url(pg_url, unique_name))
    dbs = [
        Database(db_url(pg_url, unique_name), metadata, application_name=f"r{i}") for i in range(2)
    ]
    budgets = [RateBudget(db, limit=20, window_s=1.0, headroom=2, po_reserve=4) for db in dbs]
    key = key_id_of(API_KEY)
    loop = asyncio.get_running_loop()
    started = loop.time()
    await asyncio.gather(*(budgets[i % 2].acquire(key, BULK) for i in range(14)))
    assert loop.time() - started < 0.9, "bulk may use 14 of 20 at once"
    assert await budgets[0].used(key) == 14
    po_started = loop.time()
    await asyncio.gather(*(budgets[i % 2].acquire(key, PRIORITY) for i in range(4)))
    assert loop.time() - po_started < 0.5, "PO requests use the reserve without waiting"
    bulk_started = loop.time()
    await budgets[1].acquire(key, BULK)
    assert loop.time() - bulk_started > 0.3, "bulk waits for the window to move"
    assert await budgets[0].used(key) <= 18
    for db in dbs:
        await db.dispose()
