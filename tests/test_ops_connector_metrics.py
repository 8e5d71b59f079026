"""The connectors' ops-contract metrics after real loads against the provider sandboxes:
jobs by outcome and duration, records per stream and outcome, provider responses by status
(429 on its own) and the budget-headroom gauge, read from the served ``/metrics``; no
label carries a tenant or connection id."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from connector_katana.app import build_spec as katana_spec
from connector_katana.settings import Settings as KatanaSettings
from connector_xero.app import build_spec as xero_spec
from connector_xero.settings import Settings as XeroSettings
from katana_sandbox.testing import running_sandbox as katana_sandbox
from platform_kit.service import create_app
from platform_kit.testing.servers import serve_app
from restock_demodata import DatasetSpec, generate
from xero_sandbox.testing import fast_config
from xero_sandbox.testing import running_sandbox as xero_sandbox

pytestmark = pytest.mark.asyncio
KATANA_KEY = "katana-ops-metrics-key"
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def _samples(text: str) -> Samples:
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def _value(samples: Samples, name: str, **labels: str) -> float:
    """Sum of the samples of ``name`` whose labels include ``labels``."""
    want = set(labels.items())
    return sum(v for (n, ls), v in samples.items() if n == name and want <= ls)


def _labels(samples: Samples, name: str, label: str) -> set[str]:
    return {dict(ls)[label] for (n, ls), _ in samples.items() if n == name and label in dict(ls)}


async def _wait_json(
    http: httpx.AsyncClient, path: str, done: Any, headers: Any = None, limit_s: float = 90
) -> Any:
    deadline = asyncio.get_running_loop().time() + limit_s
    while True:
        body = (await http.get(path, headers=headers)).json()
        if done(body):
            return body
        assert asyncio.get_running_loop().time() < deadline, body
        await asyncio.sleep(0.2)


async def _scrape_until(base: str, check: Any, limit_s: float = 20) -> tuple[str, Samples]:
    """``/metrics`` once ``check(samples)`` holds (the budget gauge refreshes every 5 s)."""
    deadline = asyncio.get_running_loop().time() + limit_s
    async with httpx.AsyncClient(base_url=base, timeout=10) as http:
        while True:
            text = (await http.get("/metrics")).text
            samples = _samples(text)
            if check(samples) or asyncio.get_running_loop().time() > deadline:
                return text, samples
            await asyncio.sleep(0.5)


def _assert_no_ids(text: str, samples: Samples, *ids: Any) -> None:
    names = {k for (_, ls), _ in samples.items() for k, _ in ls}
    assert not {n for n in names if "tenant" in n or n.endswith("_id")}, names
    for value in ids:
        assert str(value) not in text, f"{value} became a label value"


async def test_katana_load_emits_jobs_records_provider_statuses_and_budget(
    pg_url: str, kafka_bootstrap: str, keys_dir: Path, unique_name: str, mint_token: Any
) -> None:
    spec = DatasetSpec(seed=11, skus=12, locations=1, years=0.1)
    with katana_sandbox(
        accounts={KATANA_KEY: spec}, dataset={KATANA_KEY: generate(spec)}, rate_limit=1000
    ) as sandbox:
        settings = KatanaSettings(
            database_url=pg_url, database_name=unique_name, kafka_bootstrap_servers=kafka_bootstrap,
            keys_dir=keys_dir, katana_base_url=sandbox.base_url, rate_limit=1000,
            rate_window_s=120, rate_headroom=2, rate_po_reserve=2, scheduler_enabled=False,
            job_poll_s=0.1, page_limit=50, log_json=False, run_consumers=False, http_timeout_s=3.0,
        )  # fmt: skip
        tenant = uuid.uuid4()
        app = create_app(katana_spec(settings))
        async with (
            serve_app(app) as base,
            httpx.AsyncClient(
                base_url=base, timeout=30, headers={"Authorization": f"Bearer {mint_token(tenant)}"}
            ) as http,
        ):
            created = await http.post("/connections", json={"api_key": KATANA_KEY})
            assert created.status_code == 201, created.text
            connection_id = created.json()["connection_id"]
            sandbox.set_faults(burst_429=2, drop=1, error_500=1)
            load = await http.post(f"/connections/{connection_id}/loads", json={"mode": "refresh"})
            assert load.status_code == 202, load.text
            job = await _wait_json(
                http, f"/loads/{load.json()['job_id']}", lambda b: b["status"] == "succeeded"
            )
            stats = sandbox.stats()
            calls = stats["total_requests"] + 2  # the dropped one and the 500 are not counted
            cap = 1000 - 2
            text, samples = await _scrape_until(
                base,
                lambda s: (
                    _value(s, "restock_provider_budget_remaining", provider="katana") == cap - calls
                ),
            )
    assert stats["total_429"] == 2
    responses = "restock_provider_requests_total"
    assert _value(samples, responses, provider="katana", status="429") == 2
    assert _value(samples, responses, provider="katana", status="200") > 0
    assert _value(samples, responses, provider="katana", status="500") == 1
    assert _value(samples, responses, provider="katana", status="error") == 1, "dropped"
    assert _value(samples, responses, provider="katana") == calls
    assert _value(samples, "restock_provider_budget_remaining", provider="katana") == (
        cap - calls
    ), "lowest remaining requests in the window = cap minus what this key sent"
    jobs = "restock_sync_jobs_total"
    assert _value(samples, jobs, source="katana", mode="refresh", outcome="succeeded") == 1
    assert _value(samples, "restock_sync_job_duration_seconds_count", source="katana") == 1
    records = "restock_sync_records_total"
    assert {"skus", "sales_lines", "stock_levels"} <= _labels(samples, records, "entity")
    published = _value(samples, records, source="katana", entity="skus", outcome="published")
    assert published == 12, job
    assert _labels(samples, records, "outcome") <= {"published", "deleted", "skipped"}
    _assert_no_ids(text, samples, tenant, connection_id)


async def _xero_connect(http: httpx.AsyncClient, sb: Any, auth: dict[str, str]) -> str:
    started = await http.post("/v1/xero/authorizations", headers=auth)
    assert started.status_code == 201, started.text
    await asyncio.to_thread(sb.admin, "POST", "/consent", {"auto": True})
    async with httpx.AsyncClient() as raw:
        redirect = await raw.get(started.json()["authorize_url"], follow_redirects=False)
    assert redirect.status_code == 302, redirect.text
    callback = await http.get(
        f"/oauth/xero/callback?{urlparse(redirect.headers['location']).query}"
    )
    assert callback.status_code == 200, callback.text
    chosen = await http.post(
        "/v1/xero/connections",
        headers=auth,
        json={"grant_id": callback.json()["grant_id"], "xero_tenant_id": sb.tenant_ids[0]},
    )
    assert chosen.status_code == 201, chosen.text
    return str(chosen.json()["connection_id"])


async def test_xero_load_emits_jobs_records_provider_statuses_and_budget(
    pg_url: str, kafka_bootstrap: str, keys_dir: Path, unique_name: str, mint_token: Any
) -> None:
    with xero_sandbox(fast_config()) as sb:
        settings = XeroSettings(
            database_url=pg_url, kafka_bootstrap_servers=kafka_bootstrap,
            keys_dir=keys_dir, database_name=unique_name, log_json=False,
            client_id=sb.client_id, client_secret=sb.client_secret, redirect_uri=sb.redirect_uri,
            authorize_url=sb.authorize_endpoint, token_url=sb.token_url,
            revocation_url=f"{sb.base_url}/connect/revocation",
            connections_url=f"{sb.base_url}/connections", api_url=sb.api_url,
            webhook_key="ops-metrics-webhook-key-0123", schedule_enabled=False,
            worker_poll_s=0.1, run_consumers=False,
        )  # fmt: skip
        tenant = uuid.uuid4()
        auth = {"Authorization": f"Bearer {mint_token(tenant, ['admin'])}"}
        app = create_app(xero_spec(settings))
        async with serve_app(app) as base, httpx.AsyncClient(base_url=base, timeout=60) as http:
            connection_id = await _xero_connect(http, sb, auth)
            started = await http.post(
                f"/v1/xero/connections/{connection_id}/loads", headers=auth, json={"mode": "full"}
            )
            assert started.status_code == 202, started.text
            job = await _wait_json(
                http,
                f"/v1/xero/loads/{started.json()['job_id']}",
                lambda b: b["status"] in {"succeeded", "failed"},
                headers=auth,
            )
            cap = settings.budget_per_minute - settings.budget_headroom
            text, samples = await _scrape_until(
                base,
                lambda s: 0 < _value(s, "restock_provider_budget_remaining", provider="xero") < cap,
            )
    assert job["status"] == "succeeded", job
    assert _value(samples, "restock_provider_requests_total", provider="xero", status="200") > 0
    remaining = _value(samples, "restock_provider_budget_remaining", provider="xero")
    assert 0 < remaining < cap, "the load's calls are still in the minute window"
    jobs = "restock_sync_jobs_total"
    assert _value(samples, jobs, source="xero", mode="full", outcome="succeeded") == 1
    assert _value(samples, "restock_sync_job_duration_seconds_count", source="xero") == 1
    records = "restock_sync_records_total"
    for stream in ("skus", "sales_lines", "suppliers", "locations"):
        assert _value(samples, records, source="xero", entity=stream, outcome="published") > 0, (
            stream
        )
    _assert_no_ids(text, samples, tenant, connection_id, sb.tenant_ids[0])
