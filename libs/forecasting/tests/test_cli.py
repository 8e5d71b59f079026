"""CSV command line."""

import csv
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from restock_forecasting.cli import main


def _write(path: Path, rows: list[str]) -> Path:
    path.write_text("unique_id,ds,y\n" + "\n".join(rows) + "\n")
    return path


def _monthly_rows(uid: str, n: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    return [f"{uid},{2018 + k // 12}-{k % 12 + 1:02d}-01,{rng.poisson(20)}" for k in range(n)]


def test_forecast_monthly_writes_every_period(tmp_path: Path) -> None:
    src = _write(tmp_path / "in.csv", _monthly_rows("a", 36, 1) + _monthly_rows("b", 30, 2))
    out = tmp_path / "out.csv"
    assert (
        main(
            ["forecast", "--input", str(src), "--freq", "M", "--horizon", "6", "--output", str(out)]
        )
        == 0
    )
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == 12
    assert rows[0]["ds"] == "2021-01-01"
    assert rows[6]["ds"] == "2020-07-01"
    for r in rows:
        assert 0 <= float(r["p10"]) <= float(r["p50"]) <= float(r["p90"])
        assert r["model"]


def test_weekly_and_daily(tmp_path: Path) -> None:
    rows = [f"w,2024-01-{d:02d},{d % 3}" for d in (1, 8, 15, 22, 29)]
    src = _write(tmp_path / "w.csv", rows)
    out = tmp_path / "o.csv"
    assert (
        main(
            ["forecast", "--input", str(src), "--freq", "W", "--horizon", "2", "--output", str(out)]
        )
        == 0
    )
    assert [r["ds"] for r in csv.DictReader(out.open())] == ["2024-02-05", "2024-02-12"]
    assert (
        main(
            ["forecast", "--input", str(src), "--freq", "D", "--horizon", "3", "--output", str(out)]
        )
        == 0
    )
    assert len(list(csv.DictReader(out.open()))) == 3


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("a,2024-01-01,abc", "line 3: y 'abc' is not a number"),
        ("a,2024-01-01,-4", "line 3: y must be a finite number >= 0"),
        ("a,2024-02-30,4", "line 3: bad date '2024-02-30'"),
        ("a,2023-12-01,nan", "line 3: y must be a finite number >= 0"),
        ("a,2023-12-01", "line 3: expected 3 fields"),
        ("a,2024-01-01,2", "line 3: duplicate (unique_id, ds) = (a, 2024-01-01)"),
    ],
)
def test_bad_rows_are_rejected_with_line_number(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], row: str, message: str
) -> None:
    src = _write(tmp_path / "bad.csv", ["a,2024-01-01,3", row])
    out = tmp_path / "o.csv"
    assert (
        main(
            ["forecast", "--input", str(src), "--freq", "D", "--horizon", "2", "--output", str(out)]
        )
        == 2
    )
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_off_grid_week_and_bad_header(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = _write(tmp_path / "w.csv", ["a,2024-01-01,1", "a,2024-01-09,1"])
    assert (
        main(
            [
                "forecast",
                "--input",
                str(src),
                "--freq",
                "W",
                "--horizon",
                "2",
                "--output",
                str(tmp_path / "o.csv"),
            ]
        )
        == 2
    )
    assert "line 3" in capsys.readouterr().err
    (tmp_path / "h.csv").write_text("id,date,qty\n")
    assert (
        main(
            [
                "forecast",
                "--input",
                str(tmp_path / "h.csv"),
                "--freq",
                "W",
                "--horizon",
                "2",
                "--output",
                str(tmp_path / "o.csv"),
            ]
        )
        == 2
    )
    assert "header" in capsys.readouterr().err


def test_python_dash_m_entry_point(tmp_path: Path) -> None:
    src = _write(tmp_path / "in.csv", _monthly_rows("a", 24, 3))
    out = tmp_path / "out.csv"
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "restock_forecasting",
            "forecast",
            "--input",
            str(src),
            "--freq",
            "M",
            "--horizon",
            "3",
            "--output",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert res.returncode == 0, res.stderr
    assert len(out.read_text().splitlines()) == 4
