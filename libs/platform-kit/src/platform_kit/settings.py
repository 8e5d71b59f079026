"""Settings base shared by every service.

Each service subclasses :class:`ServiceSettings` with its own ``env_prefix`` (for example
``PLANNER_``). A few infrastructure variables are global on purpose and read without the
prefix: ``DATABASE_URL`` (a server URL; each service uses its own database on it),
``KAFKA_BOOTSTRAP_SERVERS``, ``RESTOCK_NOW``, ``RESTOCK_KEYS_DIR``.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url


class ServiceSettings(BaseSettings):
    """Fields every service has. Subclasses set ``model_config = service_config("X_")``."""

    model_config = SettingsConfigDict(env_prefix="RESTOCK_", extra="ignore", populate_by_name=True)

    service_name: str = "service"
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "INFO"
    log_json: bool = True

    database_url: str | None = Field(
        default=None,
        description="Postgres server URL; the service's own database name replaces its path.",
        validation_alias=AliasChoices("DATABASE_URL", "RESTOCK_DATABASE_URL"),
    )
    database_name: str | None = Field(
        default=None, description="Database name (default restock_<service with _>)."
    )
    db_pool_size: int = 10

    kafka_bootstrap_servers: str | None = Field(
        default=None,
        validation_alias=AliasChoices("KAFKA_BOOTSTRAP_SERVERS", "RESTOCK_KAFKA_BOOTSTRAP_SERVERS"),
    )
    topic_partitions_override: int | None = None

    keys_dir: Path = Field(
        default=Path(".local/keys"),
        validation_alias=AliasChoices("RESTOCK_KEYS_DIR", "KEYS_DIR"),
        description="Folder with internal-token and encryption keys (generated for dev).",
    )
    now: str | None = Field(
        default=None,
        validation_alias=AliasChoices("RESTOCK_NOW"),
        description="ISO instant the clock starts from (offset clock; keeps running).",
    )

    run_consumers: bool = True
    run_relay: bool = True
    migrate_on_start: bool = True

    relay_poll_interval_s: float = 0.05
    relay_batch_size: int = 500
    outbox_retention_hours: float = 24 * 7
    inbox_retention_hours: float = 24 * 14
    dead_letter_retention_hours: float = 24 * 30
    prune_interval_s: float = 600.0
    consumer_max_attempts: int = 5
    consumer_group: str | None = Field(
        default=None,
        description="Kafka consumer group and inbox name (default: the service name).",
    )
    consumer_max_records: int = Field(
        default=100,
        description="Messages per consumer transaction; each may carry up to 512 KB of records.",
    )
    consumer_backoff_initial_s: float = 0.2
    consumer_backoff_max_s: float = 10.0
    broker_check_interval_s: float = 2.0
    consumer_session_timeout_ms: int = Field(
        default=6000, description="Group session timeout; tansu completes a join after half of it."
    )

    internal_token_ttl_s: int = 300

    @property
    def resolved_database_name(self) -> str:
        return self.database_name or "restock_" + self.service_name.replace("-", "_")

    def service_database_url(self) -> str:
        """The SQLAlchemy async URL of this service's own database."""
        if not self.database_url:
            raise RuntimeError("database_url is not set (the launcher fills it in)")
        url = make_url(self.database_url).set(
            drivername="postgresql+asyncpg", database=self.resolved_database_name
        )
        return url.render_as_string(hide_password=False)


def service_config(prefix: str) -> SettingsConfigDict:
    """Settings config with the service's environment prefix, e.g. ``"PLANNER_"``."""
    return SettingsConfigDict(env_prefix=prefix, extra="ignore", populate_by_name=True)
