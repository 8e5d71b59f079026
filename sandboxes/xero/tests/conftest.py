"""Shared fixtures: small, fast sandboxes running in background uvicorn threads."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from xero_sandbox.config import Limits
from xero_sandbox.testing import RunningSandbox, fast_config, running_sandbox


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    """A fresh sandbox for one test."""
    with running_sandbox(fast_config()) as sb:
        yield sb


@pytest.fixture(scope="module")
def shared_sandbox() -> Iterator[RunningSandbox]:
    """A sandbox shared by a module's read-only tests (limits off)."""
    with running_sandbox(fast_config(limits=Limits(enabled=False))) as sb:
        yield sb
