"""Scheduled loads: due connections get one job each, even with concurrent schedulers."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from ck_support import Api, connector, sql

from connector_katana.handlers.schedule import schedule_due

pytestmark = pytest.mark.asyncio


async def test_due_connection_gets_one_job_and_refresh_runs_in_local_night(
    sandbox: Any, make_settings: Any, mint_token: Any, tenant: uuid.UUID
) -> None:
    settings = make_settings(sandbox, runner_enabled=False)
    async with connector(settings) as (base, app):
        api = Api(base, mint_token(tenant))
        conn = await api.connect()
        await api.close()
        deps = app.state.runtime.extras["deps"]
        await schedule_due(deps)
        row = (await sql(settings, "select next_refresh_at from katana_connection"))[0]
        assert row.next_refresh_at is not None
        local = row.next_refresh_at.astimezone(ZoneInfo("Pacific/Auckland"))
        assert (local.hour, local.minute) == (2, 0)
        await sql(
            settings,
            "update katana_connection set next_incremental_at = now() - interval '1 minute'",
        )
        counts = await asyncio.gather(schedule_due(deps), schedule_due(deps), schedule_due(deps))
        assert sum(counts) == 1
        jobs = await sql(settings, "select mode, trigger from load_job")
        assert [(j.mode, j.trigger) for j in jobs] == [("incremental", "schedule")]
        assert await schedule_due(deps) == 0, "next run moved forward"
        await sql(settings, "update load_job set status = 'succeeded'")
        await sql(
            settings, "update katana_connection set next_refresh_at = now() - interval '1 minute'"
        )
        assert await schedule_due(deps) == 1
        modes = [
            j.mode for j in await sql(settings, "select mode from load_job where status = 'queued'")
        ]
        assert modes == ["refresh"]
        assert conn["connection_id"]
