"""Conventions the whole-repo test run depends on (CONVENTIONS.md, "Tests").

Test folders are not packages, so pytest imports test and helper modules by their bare
name: two files with the same name, or a ``from conftest import``, would silently pick up
another folder's module.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _test_modules() -> list[Path]:
    found = []
    for top in ("libs", "sandboxes", "services", "tests"):
        for path in (ROOT / top).rglob("*.py"):
            if "tests" in path.relative_to(ROOT).parts and ".venv" not in path.parts:
                found.append(path)
    return found


def test_test_and_helper_module_names_are_unique() -> None:
    names = Counter(p.name for p in _test_modules() if p.name != "conftest.py")
    duplicates = sorted(name for name, count in names.items() if count > 1)
    assert duplicates == [], f"rename these test modules to unique names: {duplicates}"


def test_nothing_imports_from_conftest() -> None:
    offenders = [
        str(p.relative_to(ROOT))
        for p in _test_modules()
        if re.search(r"^\s*(from conftest import|import conftest)", p.read_text(), re.M)
    ]
    assert offenders == [], f"import helpers from a uniquely named module instead: {offenders}"
