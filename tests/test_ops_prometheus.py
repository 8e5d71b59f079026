"""A real Prometheus scrapes the six services (served in-test against the shared Postgres
and broker), loads deploy/prometheus/rules, and answers every dashboard query. Every
metric the alerts and dashboards use is scraped or in the documented contract of service
metrics; every contract metric is exposed by the services that own it (families are
created at start, so this holds before any job runs; tests that scrape after real
activity: test_ops_connector_metrics, the forecaster's and po-gateway's own)."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import json
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from ops_support import (
    contract_metrics,
    dashboard_exprs,
    metric_names,
    recorded_names,
    require_tool,
    rule_exprs,
    rule_files,
    stack_module,
)
from prometheus_client import CollectorRegistry

from platform_kit.infra import free_port
from platform_kit.metrics import KitMetrics
from platform_kit.service import create_app
from platform_kit.service_metrics import SERVICE_FAMILIES
from platform_kit.testing.servers import serve_app

pytestmark = pytest.mark.asyncio
SERVICES = stack_module().SERVICES


def _app(proc: Any, pg_url: str, bootstrap: str, keys_dir: Path, db: str) -> Any:
    settings_cls = importlib.import_module(f"{proc.module}.settings").Settings
    build_spec = importlib.import_module(f"{proc.module}.app").build_spec
    settings = settings_cls(
        database_url=pg_url,
        kafka_bootstrap_servers=bootstrap,
        keys_dir=keys_dir,
        database_name=f"{db}_{proc.module}",
        consumer_session_timeout_ms=2000,
        log_json=False,
    )
    return create_app(build_spec(settings))


def _config(urls: dict[str, str]) -> str:
    jobs = [
        {"job_name": name, "scrape_interval": "1s", "static_configs": [{"targets": [url.removeprefix("http://")]}]}
        for name, url in urls.items()
    ]  # fmt: skip
    config = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(p) for p in rule_files()],
        "scrape_configs": jobs,
    }
    return json.dumps(config)  # JSON is YAML


@contextlib.contextmanager
def _prometheus(tmp_path: Path, urls: dict[str, str]) -> Any:
    binary = require_tool("prometheus")
    config = tmp_path / "prometheus.yml"
    config.write_text(_config(urls))
    port = free_port()
    log = (tmp_path / "prometheus.log").open("wb")
    process = subprocess.Popen(
        [binary, f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'tsdb'}",
         f"--web.listen-address=127.0.0.1:{port}"],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/-/ready", timeout=2).status_code == 200:
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(
                    f"prometheus never became ready; see {tmp_path / 'prometheus.log'}"
                )
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


async def _api(http: httpx.AsyncClient, path: str, **params: Any) -> Any:
    response = await http.get(path, params=params)
    body = response.json()
    assert response.status_code == 200 and body["status"] == "success", (path, params, body)
    return body["data"]


async def _wait_for(check: Any, limit_s: float = 60.0) -> Any:
    deadline = time.monotonic() + limit_s
    last: Any = None
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            last = await check()
            if last:
                return last
        await asyncio.sleep(0.5)
    raise AssertionError(f"timed out; last answer {last!r}")


async def test_real_prometheus_scrapes_services_and_answers_dashboards_and_rules(
    pg_url: str, kafka_bootstrap: str, keys_dir: Path, unique_name: str, tmp_path: Path
) -> None:
    apps = {p.name: _app(p, pg_url, kafka_bootstrap, keys_dir, unique_name) for p in SERVICES}
    async with contextlib.AsyncExitStack() as stack:
        urls = {}
        for name, app in apps.items():  # one at a time: migrations run in-process
            urls[name] = await stack.enter_async_context(serve_app(app))
        base = stack.enter_context(_prometheus(tmp_path, urls))
        http = await stack.enter_async_context(httpx.AsyncClient(base_url=base, timeout=10))

        async def all_info() -> list[Any] | None:
            data = await _api(http, "/api/v1/query", query="restock_service_info == 1")
            return data["result"] if len(data["result"]) == len(SERVICES) else None

        info = await _wait_for(all_info)
        assert {(r["metric"]["job"], r["metric"]["service"]) for r in info} == {
            (p.name, p.name) for p in SERVICES
        }, "each job reports its own service name"
        up = await _api(http, "/api/v1/query", query="up")
        assert {r["metric"]["job"]: r["value"][1] for r in up["result"]} == {
            p.name: "1" for p in SERVICES
        }

        async def rules_evaluated() -> list[Any] | None:
            groups = (await _api(http, "/api/v1/rules"))["groups"]
            rules = [r for g in groups for r in g["rules"]]
            return groups if rules and all(r["health"] == "ok" for r in rules) else None

        groups = await _wait_for(rules_evaluated)
        loaded = {r["name"] for g in groups for r in g["rules"]}
        assert loaded == set(rule_exprs()), "Prometheus loaded every rule of deploy/prometheus"

        for board, exprs in dashboard_exprs().items():
            for expr in exprs:
                if expr.startswith("label_values("):
                    expr = expr.removeprefix("label_values(").split(",")[0]
                query = expr.replace("$__rate_interval", "1m").replace("$job", ".*")
                await _api(http, "/api/v1/query", query=query)  # parses and evaluates
        job_values = await _api(
            http, "/api/v1/label/job/values", **{"match[]": "restock_service_info"}
        )
        assert set(job_values) == {p.name for p in SERVICES}, "the dashboards' job variable"

        names = set(await _api(http, "/api/v1/label/__name__/values"))
        names |= set(await _api(http, "/api/v1/metadata"))
        scraped = {n for name in names for n in metric_names(name)}
        label_names = set(await _api(http, "/api/v1/labels"))
        exposed: dict[str, set[str]] = {}
        for entry in await _api(http, "/api/v1/targets/metadata"):
            name = entry["metric"]
            if entry["type"] == "counter" and not name.endswith("_total"):
                name += "_total"
            exposed.setdefault(name, set()).add(entry["target"]["job"])
        series = await _api(http, "/api/v1/series", **{"match[]": '{__name__=~"restock_.*"}'})
    series_labels: dict[str, set[str]] = {}
    for labels in series:
        for family in metric_names(labels["__name__"]):
            series_labels.setdefault(family, set()).update(labels)

    families = KitMetrics("probe").registry.collect()
    kit = {m.name + ("_total" if m.type == "counter" else "") for m in families}
    assert kit <= scraped, f"kit metrics missing from the scrape: {sorted(kit - scraped)}"
    assert not {n for n in label_names if "tenant" in n}, "tenant ids are never labels"

    referenced: dict[str, set[str]] = {}
    for board, exprs in dashboard_exprs().items():
        for expr in exprs:
            for name in metric_names(expr):
                referenced.setdefault(name, set()).add(f"dashboard {board}")
    for rule, expr in rule_exprs().items():
        for name in metric_names(expr):
            referenced.setdefault(name, set()).add(f"rule {rule}")
    records = {name for name in rule_exprs() if ":" in name}
    for board, exprs in dashboard_exprs().items():
        missing = {n for expr in exprs for n in recorded_names(expr)} - records
        assert not missing, f"{board} reads series no recording rule writes: {missing}"
    contract = contract_metrics()
    unknown = {
        n: sorted(w) for n, w in referenced.items() if n not in scraped and n not in contract
    }
    assert not unknown, f"metrics neither scraped nor in the documented contract: {unknown}"
    unused = set(contract) - set(referenced)
    assert not unused, f"contract metrics no alert or dashboard uses: {sorted(unused)}"
    for name, labels in contract.items():
        if name in series_labels:
            seen = series_labels[name] - {"__name__", "job", "instance", "le", "quantile"}
            wanted = labels - {"quantile"}
            assert seen == wanted, (
                f"{name} has labels {sorted(seen)}, contract says {sorted(wanted)}"
            )
    owners = _contract_owners()
    assert set(owners) == set(contract), "deploy/prometheus/README contract = service_metrics"
    for name, services in owners.items():
        assert services <= exposed.get(name, set()), (
            f"{name}: exposed by {sorted(exposed.get(name, set()))}, expected {sorted(services)}"
        )


def _contract_owners() -> dict[str, set[str]]:
    """Contract metric -> the services whose process creates it (``SERVICE_FAMILIES``)."""
    owners: dict[str, set[str]] = {}
    for service, classes in SERVICE_FAMILIES.items():
        registry = CollectorRegistry()
        for cls in classes:
            cls(registry)
        for family in registry.collect():
            name = family.name + ("_total" if family.type == "counter" else "")
            owners.setdefault(name, set()).add(service)
    return owners
