"""Fixtures for the contracts tests."""

from __future__ import annotations

import pytest
from contracts_samples import build_samples

from restock_contracts import Event


@pytest.fixture(scope="session")
def samples() -> dict[type[Event], Event]:
    return build_samples()
