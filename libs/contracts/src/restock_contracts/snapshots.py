"""Committed JSON Schema snapshots of every topic, and the check that guards them.

``libs/contracts/schemas/<topic name>.json`` holds the validation-mode JSON Schema of the
topic's envelope with its payload union. ::

    uv run python -m restock_contracts.snapshots --check    # exit 1 + summary on any diff
    uv run python -m restock_contracts.snapshots --update   # rewrite after review

The check reports each difference and classifies it (see :mod:`restock_contracts.compat`)
so a reviewer sees at once whether a change is additive or needs a ``v2`` topic.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from restock_contracts.compat import SchemaChange, classify, compare_schemas
from restock_contracts.topics import ALL_TOPICS, Topic

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas"
"""``libs/contracts/schemas`` in the source tree."""


@dataclass(frozen=True)
class SnapshotDiff:
    """A topic whose committed snapshot differs from the code (or a file with no topic)."""

    name: str
    status: Literal["missing", "changed", "stale"]
    changes: list[SchemaChange] = field(default_factory=list)

    def summary(self) -> str:
        """One headline plus one line per classified change."""
        if self.status == "missing":
            return f"{self.name}: no snapshot committed (new topic)"
        if self.status == "stale":
            return f"{self.name}: snapshot has no topic in ALL_TOPICS (removed topic: breaking)"
        verdict = classify(self.changes)
        if verdict == "unchanged":
            return f"{self.name}: snapshot text differs (formatting only)"
        lines = [f"{self.name}: {verdict} change"]
        lines += [f"    {change}" for change in self.changes]
        return "\n".join(lines)


def render(topic: Topic) -> str:
    """The snapshot text of a topic (stable key order, trailing newline)."""
    return json.dumps(topic.json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def check(directory: Path = SCHEMA_DIR, topics: Sequence[Topic] = ALL_TOPICS) -> list[SnapshotDiff]:
    """Compare every topic with its snapshot in ``directory``; empty list = all match."""
    diffs: list[SnapshotDiff] = []
    for topic in topics:
        path = directory / f"{topic.name}.json"
        if not path.exists():
            diffs.append(SnapshotDiff(topic.name, "missing"))
            continue
        committed = path.read_text(encoding="utf-8")
        current = render(topic)
        if committed != current:
            changes = compare_schemas(json.loads(committed), json.loads(current))
            diffs.append(SnapshotDiff(topic.name, "changed", changes))
    names = {topic.name for topic in topics}
    for path in sorted(directory.glob("*.json")):
        if path.stem not in names:
            diffs.append(SnapshotDiff(path.stem, "stale"))
    return diffs


def update(directory: Path = SCHEMA_DIR, topics: Sequence[Topic] = ALL_TOPICS) -> list[Path]:
    """Rewrite the snapshots of ``topics`` and delete stale ones; returns changed files."""
    directory.mkdir(parents=True, exist_ok=True)
    touched: list[Path] = []
    names = {topic.name for topic in topics}
    for topic in topics:
        path = directory / f"{topic.name}.json"
        text = render(topic)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            touched.append(path)
    for path in sorted(directory.glob("*.json")):
        if path.stem not in names:
            path.unlink()
            touched.append(path)
    return touched


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit code."""
    parser = argparse.ArgumentParser(prog="python -m restock_contracts.snapshots")
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--check", action="store_true", help="fail on any difference")
    action.add_argument("--update", action="store_true", help="rewrite the snapshots")
    parser.add_argument("--dir", type=Path, default=SCHEMA_DIR, help="snapshot directory")
    args = parser.parse_args(argv)
    if args.update:
        touched = update(args.dir)
        for path in touched:
            print(f"updated {path.name}")
        print(f"{len(touched)} snapshot file(s) changed in {args.dir}")
        return 0
    diffs = check(args.dir)
    if not diffs:
        print(f"all {len(ALL_TOPICS)} schema snapshots match the code")
        return 0
    print(f"{len(diffs)} schema snapshot(s) differ from the code:", file=sys.stderr)
    for diff in diffs:
        print(diff.summary(), file=sys.stderr)
    print(
        "Review the changes (breaking ones need a v2 topic once the journey works end to "
        "end), then run: uv run python -m restock_contracts.snapshots --update",
        file=sys.stderr,
    )
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
