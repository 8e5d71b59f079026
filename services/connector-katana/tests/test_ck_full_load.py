"""Full load against the running sandbox: every stream published and completed."""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from typing import Any

import pytest
from ck_support import API_KEY, Api, connector, outbox, sql

pytestmark = pytest.mark.asyncio


async def test_full_load_publishes_every_stream_with_completion_markers(
    sandbox: Any,
    make_settings: Any,
    mint_token: Any,
    tenant: uuid.UUID,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    settings = make_settings(sandbox)
    async with connector(settings) as (base, _app):
        api = Api(base, mint_token(tenant))
        conn = await api.connect()
        assert conn["base_currency"] == "NZD" and conn["time_zone"] == "Pacific/Auckland"
        job = await api.load(conn["connection_id"])
        done = await api.wait_job(job["job_id"])
        await api.close()
    assert done["status"] == "succeeded", done
    progress = {p["entity"]: p for p in done["progress"]}
    assert progress["products"]["pages_done"] >= 1 and progress["products"]["complete"]
    assert progress["sales_orders"]["total_pages"] >= 2
    assert progress["sales_orders"]["pages_done"] == progress["sales_orders"]["total_pages"]
    rows = await outbox(settings)
    types = Counter(r["event_type"] for r in rows)
    for event in (
        "catalog.skus_changed",
        "catalog.suppliers_changed",
        "catalog.locations_changed",
        "catalog.bom_rows_changed",
        "inventory.stock_levels_changed",
        "inventory.stock_movements_changed",
        "sales.lines_changed",
        "purchasing.purchase_order_lines_changed",
        "connectors.sync_started",
        "connectors.sync_finished",
        "connectors.connection_established",
    ):
        assert types[event] >= 1, (event, types)
    assert types["connectors.stream_completed"] == 8
    skus = [
        r
        for rows_ in [
            x["envelope"]["payload"]["records"]
            for x in rows
            if x["event_type"] == "catalog.skus_changed"
        ]
        for r in rows_
    ]
    assert len(skus) == 30 and len({s["variant_id"] for s in skus}) == 30
    sales = [x["envelope"]["payload"] for x in rows if x["event_type"] == "sales.lines_changed"]
    seqs = [p["batch_seq"] for p in sales]
    assert seqs == list(range(1, len(seqs) + 1))
    marker = next(
        x["envelope"]["payload"]
        for x in rows
        if x["event_type"] == "connectors.stream_completed"
        and x["envelope"]["payload"]["stream"] == "sales_lines"
    )
    assert marker["batch_count"] == len(seqs) and marker["mode"] == "incremental"
    assert sandbox.stats()["total_429"] == 0
    stored = await sql(settings, "select api_key_enc, key_id from katana_connection")
    assert API_KEY not in stored[0].api_key_enc and stored[0].api_key_enc.startswith("v1.")
    assert API_KEY not in caplog.text and API_KEY not in str(rows)
