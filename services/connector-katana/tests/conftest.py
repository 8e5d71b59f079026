"""Fixtures: a real Katana sandbox, a fresh database per test, the session broker."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from ck_support import API_KEY, SPEC

from connector_katana.settings import Settings
from katana_sandbox.testing import RunningSandbox, running_sandbox
from platform_kit.testing.settings import service_test_settings
from restock_demodata import generate


@pytest.fixture(scope="session")
def dataset() -> Any:
    return generate(SPEC)


@pytest.fixture
def sandbox(dataset: Any) -> Iterator[RunningSandbox]:
    """A fresh sandbox (60 requests per 0.5 s) with one account."""
    with running_sandbox(
        accounts={API_KEY: SPEC},
        dataset={API_KEY: dataset},
        rate_limit=60,
        rate_window_s=0.5,
        webhook_retry_delays_s=(0.2, 0.4, 0.8),
    ) as sb:
        yield sb


@pytest.fixture
def make_settings(
    pg_url: str, kafka_bootstrap: str, keys_dir: Path, unique_name: str
) -> Callable[..., Settings]:
    """Settings for one connector runtime against a fresh per-test database."""

    def make(sandbox: RunningSandbox, **overrides: Any) -> Settings:
        values = service_test_settings(pg_url, unique_name, keys_dir, kafka=kafka_bootstrap)
        values |= {
            "katana_base_url": sandbox.base_url,
            "rate_limit": 60,
            "rate_window_s": 0.5,
            "rate_headroom": 8,
            "rate_po_reserve": 4,
            "webhook_coalesce_s": 0.5,
            "webhook_flush_poll_s": 0.1,
            "scheduler_enabled": False,
            "job_poll_s": 0.1,
            "po_worker_poll_s": 0.1,
            "job_lease_s": 3.0,
            "http_timeout_s": 5.0,
            "page_limit": 50,
            "run_consumers": False,
        }
        values.update(overrides)
        return Settings.model_validate(values)

    return make


@pytest.fixture
def tenant() -> uuid.UUID:
    return uuid.uuid4()
