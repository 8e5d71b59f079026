"""The testcontainers backend: the same handles as the embedded ones, on Docker.

Selected with ``RESTOCK_TEST_BACKEND=testcontainers`` when a Docker engine exists:
Apache Kafka (KRaft) and PostgreSQL images replace tansu and the embedded server for
the very same fixtures and tests. Not exercised on machines without Docker.
"""

from __future__ import annotations

from typing import Any

from platform_kit.infra import free_port

POSTGRES_IMAGE = "postgres:16-alpine"
KAFKA_IMAGE = "apache/kafka:3.9.0"


class ContainerPostgres:
    """PostgreSQL in a container, with the EmbeddedPostgres control surface."""

    def __init__(self) -> None:
        from testcontainers.postgres import PostgresContainer

        self.port = free_port()
        self.container: Any = PostgresContainer(
            POSTGRES_IMAGE, username="postgres", password="postgres", dbname="postgres"
        ).with_bind_ports(5432, self.port)
        self.host = "127.0.0.1"

    @property
    def url(self) -> str:
        return f"postgresql://postgres:postgres@{self.host}:{self.port}/postgres"

    def start(self) -> ContainerPostgres:
        self.container.start()
        return self

    def stop(self, mode: str = "fast") -> None:
        self.container.get_wrapped_container().stop()

    def restart(self, down_s: float = 0.0) -> None:
        import time

        wrapped = self.container.get_wrapped_container()
        wrapped.stop()
        time.sleep(down_s)
        wrapped.start()
        from platform_kit.infra import wait_for_port

        wait_for_port(self.host, self.port, 60)
        time.sleep(1.0)

    def destroy(self) -> None:
        self.container.stop()


class ContainerBroker:
    """Apache Kafka (KRaft) in a container, with the EmbeddedBroker control surface."""

    def __init__(self) -> None:
        self.port = free_port()
        self.host = "127.0.0.1"
        self.container: Any = None

    @property
    def bootstrap(self) -> str:
        return f"{self.host}:{self.port}"

    def start(self) -> ContainerBroker:
        from testcontainers.kafka import KafkaContainer

        self.container = KafkaContainer(KAFKA_IMAGE).with_kraft().with_bind_ports(9093, self.port)
        self.container.start()
        return self

    def stop(self) -> None:
        if self.container is not None:
            self.container.stop()
            self.container = None

    def pause(self) -> None:
        self.container.get_wrapped_container().pause()

    def resume(self) -> None:
        self.container.get_wrapped_container().unpause()

    def restart_empty(self) -> None:
        self.stop()
        self.start()
