import csv
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from forecaster.__main__ import main


def _write(path: Path, rows: list[str]) -> Path:
    path.write_text("unique_id,ds,y\n" + "\n".join(rows) + "\n")
    return path


def _weekly(n: int = 60) -> list[str]:
    start = date(2025, 1, 6)
    return [f"a,{start + timedelta(weeks=k)},{5 + k % 3}" for k in range(n)]


def test_forecast_command_delegates_to_the_engine_cli(tmp_path: Path) -> None:
    src = _write(tmp_path / "in.csv", _weekly())
    out = tmp_path / "out.csv"
    with pytest.raises(SystemExit) as exc:
        main(
            ["forecast", "--input", str(src), "--freq", "W", "--horizon", "4", "--output", str(out)]
        )
    assert exc.value.code == 0
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == 4 and rows[0]["unique_id"] == "a"
    assert float(rows[0]["p10"]) <= float(rows[0]["p50"]) <= float(rows[0]["p90"])


def test_bad_input_exits_2_with_the_line_number(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = _write(tmp_path / "in.csv", [*_weekly(5), "a,2026-01-01,-3", "b,notadate,1"])
    with pytest.raises(SystemExit) as exc:
        main(
            [
                "forecast",
                "--input",
                str(src),
                "--freq",
                "W",
                "--horizon",
                "4",
                "--output",
                str(tmp_path / "out.csv"),
            ]
        )
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "line 7" in err and "line 8" in err
    assert not (tmp_path / "out.csv").exists()


def test_python_dash_m_forecaster_forecast_runs(tmp_path: Path) -> None:
    src = _write(tmp_path / "in.csv", ["x,2026-01-01,1", "x,2026-01-02,x"])
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "forecaster",
            "forecast",
            "--input",
            str(src),
            "--freq",
            "D",
            "--horizon",
            "3",
            "--output",
            str(tmp_path / "o.csv"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2 and "line 3" in proc.stderr
