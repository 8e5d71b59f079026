"""The Postgres call budget against the sandbox's real limits: minute, concurrency, day."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from cx_support import connect, execute, run_load, scalar, service

from connector_xero.adapters.budget import Budget
from connector_xero.adapters.xero_api import OrgRef, XeroApi
from connector_xero.domain.errors import DayLimitReached
from connector_xero.handlers import schedule
from xero_sandbox.config import Limits, Timings
from xero_sandbox.testing import fast_config, running_sandbox

pytestmark = pytest.mark.asyncio


async def test_minute_limit_is_never_exceeded(
    pg_url: str, kafka_bootstrap: str, keys_dir: Path, mint_token: Any, unique_name: str
) -> None:
    config = fast_config(
        limits=Limits(per_minute=10), timings=dataclasses.replace(Timings(), minute_window=2.0)
    )
    with running_sandbox(config) as sb:
        opts = {"budget_per_minute": 10, "budget_window_s": 2.0, "page_size": 60}
        async with service(
            sb, pg_url, kafka_bootstrap, keys_dir, unique_name, mint_token, **opts
        ) as svc:
            _, connection_id = await connect(svc, sb)
            await asyncio.to_thread(sb.admin, "DELETE", "/stats")
            began = time.monotonic()
            job = await run_load(svc, connection_id, "full", limit_s=90)
            elapsed = time.monotonic() - began
            assert job["status"] == "succeeded"
            stats = await asyncio.to_thread(sb.admin, "GET", "/stats")
            calls = stats["calls_per_tenant"][sb.tenant_ids[0]]
            cap = svc.deps.budget.cap("bulk")
            assert calls > cap, "more calls than one window allows"
            assert stats["rate_limited_total"] == 0, stats
            assert elapsed >= 2.0 * (calls // cap), "the budget paced the load"


async def test_concurrency_and_day_limits(
    pg_url: str, kafka_bootstrap: str, keys_dir: Path, mint_token: Any, unique_name: str
) -> None:
    with running_sandbox(fast_config(limits=Limits(concurrent=2))) as sb:
        opts = {"budget_concurrency": 2}
        async with service(
            sb, pg_url, kafka_bootstrap, keys_dir, unique_name, mint_token, **opts
        ) as svc:
            grant_id, connection_id = await connect(svc, sb)
            org = OrgRef(grant_id, sb.tenant_ids[0])
            deps = svc.deps
            await asyncio.to_thread(
                sb.admin, "POST", "/faults", {"slow_calls": -1, "slow_seconds": 0.3}
            )
            await asyncio.to_thread(sb.admin, "DELETE", "/stats")
            began = time.monotonic()
            await asyncio.gather(*(deps.api.get(org, "Organisation") for _ in range(8)))
            assert time.monotonic() - began >= 1.1, "never more than 2 in flight"
            stats = await asyncio.to_thread(sb.admin, "GET", "/stats")
            assert stats["rate_limited_total"] == 0, stats

            # control: a budget allowing 5 in flight does hit Xero's concurrent limit
            loose = XeroApi(
                deps.http,
                deps.settings.api_url,
                dataclasses.replace(deps.budget, concurrency=5),
                deps.tokens,
            )
            await asyncio.gather(*(loose.get(org, "Organisation") for _ in range(3)))
            stats = await asyncio.to_thread(sb.admin, "GET", "/stats")
            assert stats["rate_limit_problems"].get("concurrent", 0) > 0
            await asyncio.to_thread(sb.admin, "DELETE", "/faults")

            # the day budget: spent -> DayLimitReached with the instant it frees up
            day = Budget(deps.db, per_day=3, concurrency=5)
            for _ in range(3):
                await day.release(await day.acquire("org-day-test"))
            with pytest.raises(DayLimitReached):
                await day.acquire("org-day-test")

            # the schedule: two replicas ticking at once queue one nightly refresh
            await execute(
                svc, "update xero_connection set next_refresh_at = now() - interval '1 s'"
            )
            queued = await asyncio.gather(schedule.tick(deps), schedule.tick(deps))
            assert sum(queued) == 1
            assert (
                await scalar(svc, "select mode from load_job where trigger = 'schedule'")
                == "refresh"
            )
            nxt = await scalar(svc, "select next_refresh_at from xero_connection")
            local = nxt.astimezone(ZoneInfo("Pacific/Auckland"))
            assert local.hour == 2 and nxt > deps.clock.now()
            assert await schedule.tick(deps) == 0
            assert str(connection_id)
