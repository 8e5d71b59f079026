"""The chaos fault plan (pure): reproducible from its seed, every service killed exactly
once, and every fault kind of the issue present."""

from __future__ import annotations

from journey_support import chaos


def test_fault_plan_is_reproducible_and_complete() -> None:
    for seed in (0, 1, 20261205, 999_999):
        plan = chaos.fault_plan(seed)
        assert plan == chaos.fault_plan(seed)
        kills = sorted(f.target for f in plan if f.kind == "kill")
        assert kills == sorted(chaos.SERVICES)
        kinds = {f.kind for f in plan}
        assert kinds == {
            "kill",
            "storm_429",
            "storm_500",
            "pause_broker",
            "restart_postgres",
            "poison",
        }
        assert {f.phase for f in plan} == {"load", "forecast", "plan", "send"}
        assert all(f.delay_s >= 0 for f in plan)
    assert chaos.fault_plan(1) != chaos.fault_plan(2)
