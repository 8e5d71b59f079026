"""Simulation sanity on iid demand, the engine adapter and the CLI."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from restock_policy.cli import main
from restock_policy.forecasters import engine_forecaster, ses_forecaster
from restock_policy.simulate import simulate


@pytest.mark.parametrize(("kind", "target"), [("normal", 0.95), ("normal", 0.9), ("poisson", 0.9)])
def test_achieved_csl_near_target_on_iid_demand(kind: str, target: float) -> None:
    rng = np.random.default_rng(3)
    if kind == "normal":
        y = np.maximum(rng.normal(100, 20, (150, 120)), 0)
    else:
        y = rng.poisson(4.0, (150, 120)).astype(float)
    r = simulate(y, 2, 1, target, ses_forecaster(4, 0.1), min_history=24)
    s = r.summary()
    assert abs(s["csl"] - target) < 0.035
    assert s["fill_rate"] > target
    assert abs(s["naive_fill_rate"] - s["fill_rate"]) < 0.01
    assert s["inventory_reduction_pooled"] > 0.1
    assert np.all(r.cycles[r.managed] > 50)


def test_higher_service_level_needs_more_stock() -> None:
    rng = np.random.default_rng(5)
    y = np.maximum(rng.normal(50, 15, (60, 90)), 0)
    lo = simulate(y, 1, 2, 0.7, ses_forecaster(4), min_history=20)
    hi = simulate(y, 1, 2, 0.98, ses_forecaster(4), min_history=20)
    assert hi.avg_on_hand.sum() > lo.avg_on_hand.sum()
    assert hi.summary()["csl"] > lo.summary()["csl"]


def test_series_of_different_lengths_and_zero_lead_time() -> None:
    rng = np.random.default_rng(6)
    y = rng.poisson(3.0, (4, 60)).astype(float)
    y[1, :30] = np.nan
    y[2, :50] = np.nan
    r = simulate(y, 0, 1, 0.9, ses_forecaster(2), min_history=12)
    assert r.managed.tolist() == [True, True, False, True]
    assert np.isnan(r.csl[2])
    assert r.cycles[1] < r.cycles[0]


def test_engine_adapter_drives_the_simulation() -> None:
    rng = np.random.default_rng(8)
    season = 1 + 0.3 * np.sin(2 * np.pi * np.arange(72) / 12)
    y = rng.poisson(20 * season, (30, 72)).astype(float)
    r = simulate(y, 2, 1, 0.9, engine_forecaster(4, 12, 3), min_history=36)
    s = r.summary()
    assert 0.75 < s["csl"] <= 1.0
    assert s["fill_rate"] > 0.9


def _write(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join(rows) + "\n")
    return path


def test_cli_simulate_writes_one_row_per_series(tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    rows = ["unique_id,ds,y"]
    for sid in ("a", "b"):
        for k in range(48):
            rows.append(f"{sid},{2020 + k // 12}-{k % 12 + 1:02d}-01,{rng.poisson(30)}")
    inp = _write(tmp_path / "in.csv", rows)
    out = tmp_path / "out.csv"
    code = main(
        [
            "simulate",
            "--input",
            str(inp),
            "--freq",
            "M",
            "--lead-time",
            "2",
            "--review",
            "1",
            "--service-level",
            "0.9",
            "--output",
            str(out),
        ]
    )
    assert code == 0
    lines = out.read_text().splitlines()
    assert lines[0] == "unique_id,csl,fill_rate,avg_on_hand,naive_fill_rate,naive_avg_on_hand"
    assert [ln.split(",")[0] for ln in lines[1:]] == ["a", "b"]
    assert 0.5 < float(lines[1].split(",")[2]) <= 1.0


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (["id,ds,y", "a,2020-01-01,1"], "row 1: header"),
        (["unique_id,ds,y", "a,2020-01-01,1", "a,2020-02-01,-3"], "row 3: y must be finite"),
        (["unique_id,ds,y", "a,2020-13-01,1"], "row 2: bad date"),
        (["unique_id,ds,y", "a,2020-01-01,x"], "row 2: y is not a number"),
        (["unique_id,ds,y", "a,2020-01-01,1", "a,2020-01-15,2"], "row 3: duplicate period"),
        (["unique_id,ds,y", "a,2020-01-01"], "row 2: expected 3 columns"),
    ],
)
def test_cli_rejects_bad_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], rows: list[str], message: str
) -> None:
    inp = _write(tmp_path / "bad.csv", rows)
    code = main(
        [
            "simulate",
            "--input",
            str(inp),
            "--freq",
            "M",
            "--lead-time",
            "2",
            "--review",
            "1",
            "--service-level",
            "0.9",
            "--output",
            str(tmp_path / "o.csv"),
        ]
    )
    assert code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "o.csv").exists()


def test_cli_rejects_bad_arguments(tmp_path: Path) -> None:
    inp = _write(tmp_path / "in.csv", ["unique_id,ds,y", "a,2020-01-01,1"])
    base = ["simulate", "--input", str(inp), "--freq", "M", "--lead-time", "2", "--output", "o.csv"]
    assert main([*base, "--review", "0", "--service-level", "0.9"]) == 2
    assert main([*base, "--review", "1", "--service-level", "1.5"]) == 2
    assert main(["simulate", "--freq", "Q"]) == 2
