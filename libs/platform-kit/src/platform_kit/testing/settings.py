"""Settings values every service's tests share."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def service_test_settings(
    pg_url: str,
    database_name: str,
    keys_dir: Path | str,
    *,
    kafka: str | None = None,
    now: str | None = None,
) -> dict[str, Any]:
    """Values for any service's ``Settings.model_validate``: its own database on the test
    server, the test keys, a short consumer session and a fast outbox relay (so a test
    waits milliseconds, not the production poll interval), plain-text logs; the broker
    and a fixed ``RESTOCK_NOW`` when given. Callers add their service's own knobs."""
    values: dict[str, Any] = {
        "DATABASE_URL": pg_url,
        "database_name": database_name,
        "RESTOCK_KEYS_DIR": str(keys_dir),
        "log_json": False,
        "consumer_session_timeout_ms": 2000,
        "relay_poll_interval_s": 0.02,
    }
    if kafka:
        values["KAFKA_BOOTSTRAP_SERVERS"] = kafka
    if now:
        values["RESTOCK_NOW"] = now
    return values
