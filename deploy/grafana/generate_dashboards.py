# ruff: noqa: E501 - PromQL queries read best on one line
"""Writes the Grafana dashboards in ``deploy/grafana/dashboards/`` (run after editing).

    uv run python deploy/grafana/generate_dashboards.py

Every panel queries the data source chosen in the ``datasource`` template variable
(``${datasource}``; its default is the provisioned ``prometheus`` uid), and every query
filters by the ``job`` variable (one job per service). A test checks the committed JSON
equals what this script writes, and runs every query against a real Prometheus.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "dashboards"
DS = {"type": "prometheus", "uid": "${datasource}"}
RI = "$__rate_interval"


def _panel(
    title: str,
    exprs: list[tuple[str, str]],
    unit: str = "short",
    kind: str = "timeseries",
    description: str = "",
) -> dict[str, Any]:
    return {
        "type": kind,
        "title": title,
        "description": description,
        "datasource": DS,
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "options": {"legend": {"displayMode": "table", "placement": "bottom"}}
        if kind == "timeseries"
        else {"reduceOptions": {"calcs": ["lastNotNull"]}},
        "targets": [
            {"refId": chr(ord("A") + i), "datasource": DS, "expr": expr, "legendFormat": legend}
            for i, (expr, legend) in enumerate(exprs)
        ],
    }


def _dashboard(
    uid: str, title: str, panels: list[dict[str, Any]], job_regex: str
) -> dict[str, Any]:
    placed = []
    for i, panel in enumerate(panels):
        width = 8 if panel["type"] == "stat" else 12
        per_row = 24 // width
        placed.append(
            {
                **panel,
                "id": i + 1,
                "gridPos": {
                    "h": 8,
                    "w": width,
                    "x": (i % per_row) * width,
                    "y": (i // per_row) * 8,
                },
            }
        )
    return {
        "uid": uid,
        "title": title,
        "tags": ["restock"],
        "timezone": "browser",
        "schemaVersion": 39,
        "version": 1,
        "editable": True,
        "refresh": "30s",
        "time": {"from": "now-6h", "to": "now"},
        "links": [
            {"type": "dashboards", "tags": ["restock"], "asDropdown": True, "title": "Restock"}
        ],
        "templating": {
            "list": [
                {
                    "name": "datasource",
                    "label": "Data source",
                    "type": "datasource",
                    "query": "prometheus",
                    "current": {"text": "Prometheus", "value": "prometheus"},
                    "hide": 0,
                },
                {
                    "name": "job",
                    "label": "Service",
                    "type": "query",
                    "datasource": DS,
                    "query": {"query": "label_values(restock_service_info, job)", "refId": "job"},
                    "definition": "label_values(restock_service_info, job)",
                    "regex": job_regex,
                    "includeAll": True,
                    "multi": True,
                    "allValue": ".*",
                    "current": {"text": "All", "value": "$__all"},
                    "refresh": 2,
                    "hide": 0,
                },
            ]
        },
        "annotations": {"list": []},
        "panels": placed,
    }


J = 'job=~"$job"'


def overview() -> dict[str, Any]:
    return _dashboard(
        "restock-overview",
        "Restock / Overview",
        [
            _panel("Targets up", [(f"sum by (job) (up{{{J}}})", "{{job}}")], kind="stat"),
            _panel(
                "Replicas reporting",
                [(f"count by (job) (restock_service_info{{{J}}})", "{{job}}")],
                kind="stat",
            ),
            _panel(
                "Firing alerts",
                [('count by (alertname) (ALERTS{alertstate="firing"})', "{{alertname}}")],
                kind="stat",
            ),
            _panel(
                "Requests per second",
                [(f"sum by (job) (rate(restock_http_requests_total{{{J}}}[{RI}]))", "{{job}}")],
                "reqps",
            ),
            _panel(
                "5xx ratio (5 m)",
                [(f"job:restock_http_errors:ratio_rate5m{{{J}}}", "{{job}}")],
                "percentunit",
                description="SLO: 99.5 % of requests without a 5xx (alerts: multi-window burn rate).",
            ),
            _panel(
                "p95 latency",
                [
                    (
                        f"histogram_quantile(0.95, sum by (job, le) (rate(restock_http_request_duration_seconds_bucket{{{J}}}[{RI}])))",
                        "{{job}}",
                    )
                ],
                "s",
            ),
            _panel(
                "Requests slower than 1 s (5 m)",
                [(f"job:restock_http_slow:ratio_rate5m{{{J}}}", "{{job}}")],
                "percentunit",
                description="SLO: 99 % of requests within 1 s.",
            ),
            _panel(
                "Error budget left (3 d window)",
                [(f"1 - job:restock_http_errors:ratio_rate3d{{{J}}} / 0.005", "{{job}}")],
                "percentunit",
            ),
            _panel(
                "Consumer lag (records)",
                [(f"sum by (job) (restock_consumer_lag_records{{{J}}})", "{{job}}")],
            ),
            _panel(
                "Open dead letters",
                [(f"sum by (job) (restock_dead_letters_open{{{J}}})", "{{job}}")],
            ),
        ],
        "",
    )


def sync() -> dict[str, Any]:
    cj = 'job=~"$job"'
    return _dashboard(
        "restock-sync",
        "Restock / Sync",
        [
            _panel(
                "Sync jobs by outcome",
                [
                    (
                        f"sum by (source, mode, outcome) (increase(restock_sync_jobs_total{{{cj}}}[1h]))",
                        "{{source}} {{mode}} {{outcome}}",
                    )
                ],
            ),
            _panel(
                "Sync job duration p50 / p95",
                [
                    (
                        f"histogram_quantile(0.5, sum by (source, mode, le) (rate(restock_sync_job_duration_seconds_bucket{{{cj}}}[{RI}])))",
                        "p50 {{source}} {{mode}}",
                    ),
                    (
                        f"histogram_quantile(0.95, sum by (source, mode, le) (rate(restock_sync_job_duration_seconds_bucket{{{cj}}}[{RI}])))",
                        "p95 {{source}} {{mode}}",
                    ),
                ],
                "s",
            ),
            _panel(
                "Records per second by stream and outcome (finished jobs)",
                [
                    (
                        f"sum by (source, entity, outcome) (rate(restock_sync_records_total{{{cj}}}[{RI}]))",
                        "{{source}} {{entity}} {{outcome}}",
                    )
                ],
                "ops",
            ),
            _panel(
                "Provider requests by status",
                [
                    (
                        f"sum by (provider, status) (rate(restock_provider_requests_total{{{cj}}}[{RI}]))",
                        "{{provider}} {{status}}",
                    )
                ],
                "reqps",
            ),
            _panel(
                "Provider 429 ratio",
                [
                    (
                        f'sum by (provider) (rate(restock_provider_requests_total{{status="429",{cj}}}[{RI}])) / sum by (provider) (rate(restock_provider_requests_total{{{cj}}}[{RI}]))',
                        "{{provider}}",
                    )
                ],
                "percentunit",
            ),
            _panel(
                "Provider rate budget left",
                [
                    (
                        f"min by (provider) (restock_provider_budget_remaining{{{cj}}})",
                        "{{provider}}",
                    )
                ],
            ),
            _panel(
                "Connector outbox: oldest pending",
                [(f"max by (job) (restock_outbox_oldest_pending_age_seconds{{{cj}}})", "{{job}}")],
                "s",
            ),
            _panel(
                "Connector HTTP 5xx ratio",
                [(f"job:restock_http_errors:ratio_rate5m{{{cj}}}", "{{job}}")],
                "percentunit",
            ),
        ],
        "/connector-.*/",
    )


def messaging() -> dict[str, Any]:
    return _dashboard(
        "restock-messaging",
        "Restock / Messaging",
        [
            _panel(
                "Consumer lag by topic",
                [
                    (
                        f"max by (consumer, topic) (restock_consumer_lag_records{{{J}}})",
                        "{{consumer}} ← {{topic}}",
                    )
                ],
                description="Replicas beyond the topic's partition count do not reduce lag.",
            ),
            _panel(
                "Records handled by outcome",
                [
                    (
                        f"sum by (consumer, outcome) (rate(restock_consumer_records_total{{{J}}}[{RI}]))",
                        "{{consumer}} {{outcome}}",
                    )
                ],
                "ops",
            ),
            _panel(
                "Batch duration p95",
                [
                    (
                        f"histogram_quantile(0.95, sum by (consumer, le) (rate(restock_consumer_batch_duration_seconds_bucket{{{J}}}[{RI}])))",
                        "{{consumer}}",
                    )
                ],
                "s",
            ),
            _panel(
                "Outbox pending rows",
                [(f"sum by (job) (restock_outbox_pending_rows{{{J}}})", "{{job}}")],
            ),
            _panel(
                "Outbox oldest pending age",
                [(f"max by (job) (restock_outbox_oldest_pending_age_seconds{{{J}}})", "{{job}}")],
                "s",
            ),
            _panel(
                "Published per second by topic",
                [
                    (
                        f"sum by (topic) (rate(restock_outbox_published_total{{{J}}}[{RI}]))",
                        "{{topic}}",
                    )
                ],
                "ops",
            ),
            _panel(
                "Relay errors",
                [
                    (
                        f"sum by (job, kind) (increase(restock_relay_errors_total{{{J}}}[{RI}]))",
                        "{{job}} {{kind}}",
                    )
                ],
            ),
            _panel(
                "Broker resets detected",
                [
                    (
                        f"sum by (job) (increase(restock_relay_broker_resets_total{{{J}}}[1h]))",
                        "{{job}}",
                    )
                ],
            ),
            _panel(
                "Open dead letters",
                [(f"max by (job) (restock_dead_letters_open{{{J}}})", "{{job}}")],
            ),
        ],
        "",
    )


def forecasting() -> dict[str, Any]:
    fj = 'job=~"$job"'
    return _dashboard(
        "restock-forecasting",
        "Restock / Forecasting and planning",
        [
            _panel(
                "Forecast run duration p50 / p95",
                [
                    (
                        f"histogram_quantile(0.5, sum by (le) (rate(restock_forecast_run_duration_seconds_bucket{{{fj}}}[{RI}])))",
                        "p50",
                    ),
                    (
                        f"histogram_quantile(0.95, sum by (le) (rate(restock_forecast_run_duration_seconds_bucket{{{fj}}}[{RI}])))",
                        "p95",
                    ),
                ],
                "s",
            ),
            _panel(
                "SKUs forecast per second",
                [(f"sum by (job) (restock_forecast_skus_per_second{{{fj}}})", "{{job}}")],
            ),
            _panel(
                "Backtest error across SKUs",
                [(f"max by (quantile) (restock_forecast_backtest_error{{{fj}}})", "q{{quantile}}")],
                description="Summary quantiles of the per-SKU backtest error of the latest runs.",
            ),
            _panel(
                "Plan recompute duration p95",
                [
                    (
                        f"histogram_quantile(0.95, sum by (le) (rate(restock_plan_recompute_duration_seconds_bucket{{{fj}}}[{RI}])))",
                        "p95",
                    )
                ],
                "s",
            ),
            _panel(
                "Forecaster / planner consumer lag",
                [
                    (
                        f"max by (consumer, topic) (restock_consumer_lag_records{{{fj}}})",
                        "{{consumer}} ← {{topic}}",
                    )
                ],
            ),
            _panel(
                "Replicas",
                [(f"count by (job) (restock_service_info{{{fj}}})", "{{job}}")],
                kind="stat",
            ),
        ],
        "/forecaster|planner/",
    )


def purchase_orders() -> dict[str, Any]:
    pj = 'job=~"$job"'
    return _dashboard(
        "restock-purchase-orders",
        "Restock / Purchase orders",
        [
            _panel(
                "Submissions by outcome",
                [
                    (
                        f"sum by (provider, outcome) (increase(restock_po_submissions_total{{{pj}}}[1h]))",
                        "{{provider}} {{outcome}}",
                    )
                ],
            ),
            _panel(
                "Failed submissions (30 m)",
                [
                    (
                        f'sum by (provider) (increase(restock_po_submissions_total{{outcome="failed",{pj}}}[30m]))',
                        "{{provider}}",
                    )
                ],
                kind="stat",
            ),
            _panel(
                "Submission latency p50 / p95",
                [
                    (
                        f"histogram_quantile(0.5, sum by (provider, le) (rate(restock_po_submission_latency_seconds_bucket{{{pj}}}[{RI}])))",
                        "p50 {{provider}}",
                    ),
                    (
                        f"histogram_quantile(0.95, sum by (provider, le) (rate(restock_po_submission_latency_seconds_bucket{{{pj}}}[{RI}])))",
                        "p95 {{provider}}",
                    ),
                ],
                "s",
            ),
            _panel(
                "po-gateway requests by route",
                [
                    (
                        f'sum by (route, status) (rate(restock_http_requests_total{{{pj},route!~"/healthz|/readyz|/metrics"}}[{RI}]))',
                        "{{route}} {{status}}",
                    )
                ],
                "reqps",
            ),
            _panel(
                "Submission requests waiting in the outbox",
                [(f"max by (job) (restock_outbox_oldest_pending_age_seconds{{{pj}}})", "{{job}}")],
                "s",
            ),
            _panel(
                "Open dead letters",
                [(f"max by (job) (restock_dead_letters_open{{{pj}}})", "{{job}}")],
            ),
        ],
        "/po-gateway|connector-.*/",
    )


DASHBOARDS = {
    "overview.json": overview,
    "sync.json": sync,
    "messaging.json": messaging,
    "forecasting.json": forecasting,
    "purchase-orders.json": purchase_orders,
}


def render() -> dict[str, str]:
    """File name → JSON text, as committed."""
    return {
        name: json.dumps(build(), indent=2, ensure_ascii=False) + "\n"
        for name, build in DASHBOARDS.items()
    }


def main() -> int:
    OUT.mkdir(exist_ok=True)
    for name, text in render().items():
        (OUT / name).write_text(text)
        print(f"wrote {OUT / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
