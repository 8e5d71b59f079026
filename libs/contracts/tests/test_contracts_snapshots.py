from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from restock_contracts import ALL_TOPICS, SKUS
from restock_contracts.snapshots import SCHEMA_DIR, check, main, render, update

COMMITTED = Path(__file__).resolve().parents[1] / "schemas"


def test_committed_snapshots_match_the_code() -> None:
    """Fails on any unreviewed contract change: run `--update` after review."""
    assert SCHEMA_DIR == COMMITTED
    diffs = check(COMMITTED)
    assert diffs == [], "\n".join(diff.summary() for diff in diffs)
    assert sorted(p.stem for p in COMMITTED.glob("*.json")) == sorted(t.name for t in ALL_TOPICS)


def test_cli_check_passes_on_the_committed_snapshots() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "restock_contracts.snapshots", "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "all 15 schema snapshots match" in result.stdout


@pytest.fixture
def snapshot_dir(tmp_path: Path) -> Path:
    update(tmp_path)
    return tmp_path


def test_update_then_check_is_clean(snapshot_dir: Path) -> None:
    assert check(snapshot_dir) == []
    assert update(snapshot_dir) == []
    assert main(["--check", "--dir", str(snapshot_dir)]) == 0


def test_check_reports_a_breaking_change(
    snapshot_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = snapshot_dir / f"{SKUS.name}.json"
    schema = json.loads(path.read_text())
    schema["$defs"]["SkuRecord"]["properties"]["legacy_code"] = {"type": "string"}
    schema["$defs"]["SkuRecord"]["required"].append("legacy_code")
    path.write_text(json.dumps(schema))

    assert main(["--check", "--dir", str(snapshot_dir)]) == 1

    err = capsys.readouterr().err
    assert "catalog.skus.v1: breaking change" in err
    assert "payload<catalog.skus_changed>.records.[].legacy_code: removed field" in err
    assert "--update" in err


def test_check_reports_missing_stale_and_formatting_only(snapshot_dir: Path) -> None:
    (snapshot_dir / f"{SKUS.name}.json").unlink()
    (snapshot_dir / "catalog.old.v1.json").write_text("{}")
    plans = snapshot_dir / "planning.plans.v1.json"
    plans.write_text(json.dumps(json.loads(plans.read_text())))

    diffs = {diff.name: diff for diff in check(snapshot_dir)}

    assert diffs[SKUS.name].status == "missing"
    assert diffs["catalog.old.v1"].status == "stale"
    assert diffs["planning.plans.v1"].status == "changed"
    assert "formatting only" in diffs["planning.plans.v1"].summary()
    assert len(diffs) == 3


def test_update_rewrites_changed_and_removes_stale(snapshot_dir: Path) -> None:
    (snapshot_dir / "catalog.old.v1.json").write_text("{}")
    (snapshot_dir / f"{SKUS.name}.json").write_text("{}")

    touched = {p.name for p in update(snapshot_dir)}

    assert touched == {"catalog.old.v1.json", f"{SKUS.name}.json"}
    assert not (snapshot_dir / "catalog.old.v1.json").exists()
    assert (snapshot_dir / f"{SKUS.name}.json").read_text() == render(SKUS)
