"""promtool over deploy/prometheus: configs and rules are valid, the rule unit tests pass,
and every alert is unit-tested, labelled with a severity and explained."""

from __future__ import annotations

import re
import subprocess

from ops_support import PROMETHEUS_DIR, load_yaml, require_tool, rule_files

SEVERITIES = {"critical", "warning", "info"}


def _promtool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [require_tool("promtool"), *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=PROMETHEUS_DIR,
        check=False,
    )


def test_promtool_checks_both_scrape_configs_and_their_rule_files() -> None:
    for config in ("prometheus.yml", "prometheus.local.yml"):
        result = _promtool("check", "config", config)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "rules/slo.yaml" in result.stdout + result.stderr, "rule files are loaded"


def test_promtool_check_rules() -> None:
    files = [str(p.relative_to(PROMETHEUS_DIR)) for p in rule_files()]
    assert len(files) >= 5
    result = _promtool("check", "rules", *files)
    assert result.returncode == 0, result.stdout + result.stderr


def test_promtool_rule_unit_tests_pass() -> None:
    tests = sorted(str(p.relative_to(PROMETHEUS_DIR)) for p in PROMETHEUS_DIR.glob("tests/*.yaml"))
    assert tests
    result = _promtool("test", "rules", *tests)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("SUCCESS") == len(tests), result.stdout


def test_every_alert_is_tested_firing_and_carries_severity_and_summary() -> None:
    alerts = {}
    for path in rule_files():
        for group in load_yaml(path)["groups"]:
            for rule in group["rules"]:
                if "alert" in rule:
                    alerts[rule["alert"]] = rule
    required = {
        "RestockConsumerLagGrowing",
        "RestockDeadLettersOpen",
        "RestockOutboxStuck",
        "RestockSyncJobsFailing",
        "RestockPOSubmissionFailed",
        "RestockErrorBudgetBurnFast",
        "RestockErrorBudgetBurnSlow",
        "RestockLatencyBudgetBurnFast",
        "RestockLatencyBudgetBurnSlow",
    }
    assert required <= set(alerts), required - set(alerts)
    firing: set[str] = set()
    for path in PROMETHEUS_DIR.glob("tests/*.yaml"):
        for test in load_yaml(path)["tests"]:
            for case in test.get("alert_rule_test", []):
                if case.get("exp_alerts"):
                    firing.add(case["alertname"])
    untested = set(alerts) - firing
    assert not untested, f"alerts without a firing unit test: {sorted(untested)}"
    for name, rule in alerts.items():
        assert rule["labels"]["severity"] in SEVERITIES, name
        assert rule["annotations"]["summary"], name
        assert not re.search(r"tenant", rule["expr"]), f"{name}: tenant ids are never labels"
