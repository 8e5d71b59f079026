"""Explicit topic creation (fixed partition counts) and broker probes."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from aiokafka.structs import TopicPartition

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int


def all_topic_specs(partitions_override: int | None = None) -> list[TopicSpec]:
    """Every contract topic and its dead-letter topic."""
    from restock_contracts.topics import ALL_TOPICS

    specs: list[TopicSpec] = []
    for topic in ALL_TOPICS:
        parts = partitions_override or topic.partitions
        specs.append(TopicSpec(topic.name, parts))
        specs.append(TopicSpec(topic.dlq_name, 1))
    return specs


async def ensure_topics(bootstrap: str, specs: Iterable[TopicSpec]) -> list[str]:
    """Create the missing topics; returns the names created."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [s for s in specs if s.name not in existing]
        if not missing:
            return []
        try:
            await admin.create_topics(
                [NewTopic(s.name, s.partitions, 1) for s in missing], timeout_ms=10000
            )
        except TopicAlreadyExistsError:
            log.info("some topics were created concurrently")
        return [s.name for s in missing]
    finally:
        await admin.close()


async def end_offset(bootstrap: str, topic: str, partition: int = 0) -> int | None:
    """The partition's end offset, or None when the topic does not exist."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, request_timeout_ms=10000, metadata_max_age_ms=1000
    )
    await consumer.start()
    try:
        partitions = await consumer._client.fetch_all_metadata()
        if topic not in partitions.topics():
            return None
        tp = TopicPartition(topic, partition)
        offsets = await consumer.end_offsets([tp])
        return int(offsets[tp])
    finally:
        await consumer.stop()
