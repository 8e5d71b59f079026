"""Imports the journey tooling of ``deploy/local`` (scripts, not a package) for the
journey tests: ``chaos`` (the chaos runner) and ``demo``."""

from __future__ import annotations

import sys
from pathlib import Path

LOCAL = Path(__file__).resolve().parents[1] / "deploy" / "local"
if str(LOCAL) not in sys.path:
    sys.path.insert(0, str(LOCAL))

import chaos  # noqa: E402
import demo  # noqa: E402

__all__ = ["chaos", "demo"]
