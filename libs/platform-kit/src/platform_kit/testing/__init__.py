"""Test support: infrastructure backends and helpers the pytest plugin exposes.

Backend switch ``RESTOCK_TEST_BACKEND``:

* ``embedded`` (default): the embedded Postgres and tansu broker, started once per test
  session (per xdist worker);
* ``testcontainers``: PostgreSQL and Apache Kafka (KRaft) containers, same fixtures;
* ``external``: use ``DATABASE_URL`` and ``KAFKA_BOOTSTRAP_SERVERS`` as they are.

Fault tests ask for ``private_postgres`` / ``private_broker`` and always get their own
instances of the chosen backend.
"""

from __future__ import annotations

import os
from typing import Any


def backend() -> str:
    value = os.environ.get("RESTOCK_TEST_BACKEND", "embedded")
    if value not in {"embedded", "testcontainers", "external"}:
        raise RuntimeError(
            f"RESTOCK_TEST_BACKEND={value!r}: use embedded, testcontainers or external"
        )
    return value


def new_postgres(tmp_dir: Any) -> Any:
    """Start a Postgres of the chosen backend (external: not allowed for private instances)."""
    if backend() == "testcontainers":
        from platform_kit.infra.containers import ContainerPostgres

        return ContainerPostgres().start()
    from platform_kit.infra.postgres import EmbeddedPostgres

    return EmbeddedPostgres(tmp_dir).start()


def new_broker(log_path: Any = None) -> Any:
    if backend() == "testcontainers":
        from platform_kit.infra.containers import ContainerBroker

        return ContainerBroker().start()
    from platform_kit.infra.broker import EmbeddedBroker

    return EmbeddedBroker(log_path=log_path).start()
