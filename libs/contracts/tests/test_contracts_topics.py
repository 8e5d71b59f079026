from __future__ import annotations

import re
from typing import Literal, get_args

import pytest

from restock_contracts import ALL_TOPICS, SKUS, STREAM_TOPICS, Event, Topic, topic_by_name
from restock_contracts.sync.v1 import StreamCompleted, StreamName
from restock_contracts.topics import event_type_of


def test_topic_names_follow_the_convention_and_are_unique() -> None:
    names = [topic.name for topic in ALL_TOPICS]
    assert len(names) == len(set(names)) == 15
    for name in names:
        assert re.fullmatch(r"[a-z]+\.[a-z][a-z0-9-]*\.v1", name)


def test_lookup_by_name_and_dlq_names() -> None:
    for topic in ALL_TOPICS:
        assert topic_by_name(topic.name) is topic
        assert topic.dlq_name == f"{topic.name}.dlq"
        assert topic.version == 1
        assert topic.partitions >= 1
    with pytest.raises(KeyError, match=r"catalog\.nope\.v1"):
        topic_by_name("catalog.nope.v1")


def test_every_stream_has_a_topic_carrying_its_completion_marker() -> None:
    assert set(STREAM_TOPICS) == set(get_args(StreamName))
    for topic in STREAM_TOPICS.values():
        assert StreamCompleted in topic.events
        assert topic.events[0] is not StreamCompleted
    assert StreamCompleted not in topic_by_name("connectors.sync.v1").events


def test_event_types_are_namespaced_and_unique_per_class() -> None:
    owners: dict[str, type[Event]] = {}
    for topic in ALL_TOPICS:
        for event in topic.events:
            event_type = event_type_of(event)
            assert re.fullmatch(r"[a-z]+\.[a-z_]+", event_type), event_type
            assert owners.setdefault(event_type, event) is event


def test_every_event_class_is_documented_and_frozen() -> None:
    for topic in ALL_TOPICS:
        for event in topic.events:
            assert event.__doc__, event.__name__
            assert event.__doc__ != Event.__doc__, event.__name__
            assert event.model_config.get("frozen") is True
            assert event.model_config.get("extra") == "ignore"


def test_topic_rejects_bad_definitions() -> None:
    class Nameless(Event):
        """An event without an event_type."""

    class Twin(Event):
        """Same event type as SkusChanged."""

        event_type: Literal["catalog.skus_changed"] = "catalog.skus_changed"

    with pytest.raises(ValueError, match=r"not <context>\.<stream>\.v<major>"):
        Topic("Catalog_Skus", SKUS.events)
    with pytest.raises(ValueError, match="duplicate event types"):
        Topic("catalog.twins.v1", (SKUS.events[0], Twin))
    with pytest.raises(TypeError, match="Nameless must declare event_type"):
        Topic("catalog.nameless.v1", (Nameless,))
    with pytest.raises(ValueError, match="no events"):
        Topic("catalog.empty.v1", ())


def test_topic_schema_is_titled_by_name() -> None:
    schema = SKUS.json_schema()
    assert schema["title"] == "catalog.skus.v1"
    assert set(schema["required"]) >= {"tenant_id", "event_type", "producer", "payload"}
    assert schema["properties"]["payload"]["discriminator"]["propertyName"] == "event_type"
