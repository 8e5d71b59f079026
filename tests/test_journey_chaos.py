"""The small chaos scenario (``make chaos`` runs the full one): a small Katana tenant goes
load → forecast → plan → send on real processes, once without faults and once while every
service is killed -9 once, the broker is paused, Postgres restarts, the sandbox answers
429 and 500 storms and a poison message arrives; both must end in the same place."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from journey_support import chaos

DEFAULT_SEED = 20261205
"""Fixed so ``make test`` is repeatable; ``RESTOCK_CHAOS_SEED`` (or ``make chaos``) varies it."""


@pytest.mark.slow
@pytest.mark.faults
@pytest.mark.timeout(600)
def test_journey_under_faults_ends_where_the_fault_free_journey_ends(tmp_path: Path) -> None:
    seed = int(os.environ.get("RESTOCK_CHAOS_SEED", DEFAULT_SEED))
    print(f"chaos seed {seed}; logs in {tmp_path / 'logs'}")
    result = chaos.run_chaos(chaos.SMALL, seed, tmp_path, print)
    print(f"stages: {result['stages']}; faults: {result['faults_applied']}")
    assert result["differences"] == [], f"seed {seed}: {result['differences']}"
    planned = chaos.fault_plan(seed)
    assert len(result["faults_applied"]) == len(planned), result["faults_applied"]
    assert {f.target for f in planned if f.kind == "kill"} == set(chaos.SERVICES)
    reference = result["reference"]
    assert reference.pos and all(p[3] == 1 for p in reference.pos)
    assert reference.sales_lines[0] > 0 and reference.plan
    assert [d[0] for d in result["dead_letters"]] == ["restock_forecaster"]
