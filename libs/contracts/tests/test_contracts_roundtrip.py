from __future__ import annotations

import json
from decimal import Decimal
from uuid import UUID

import pytest
from contracts_samples import AT, HEADER, TENANT, sku_record
from pydantic import ValidationError

from restock_contracts import (
    ALL_TOPICS,
    SKUS,
    Envelope,
    Event,
    Topic,
    derived_event_id,
)
from restock_contracts.catalog.v1 import SkusChanged
from restock_contracts.topics import event_type_of

CASES = [(topic, event) for topic in ALL_TOPICS for event in topic.events]


@pytest.mark.parametrize(
    ("topic", "event_cls"), CASES, ids=[f"{t.name}:{event_type_of(e)}" for t, e in CASES]
)
def test_every_event_round_trips_through_its_topic(
    topic: Topic, event_cls: type[Event], samples: dict[type[Event], Event]
) -> None:
    payload = samples[event_cls]
    event_id = derived_event_id("conn", "sync", topic.name, 1)
    correlation = UUID("99999999-9999-4999-8999-999999999999")

    envelope = topic.envelope(
        payload, TENANT, "test-producer", event_id=event_id, correlation_id=correlation
    )
    raw = envelope.to_json_bytes()
    decoded = topic.decode(raw)

    assert isinstance(decoded, Envelope)
    assert decoded == envelope
    assert type(decoded.payload) is event_cls
    assert decoded.payload == payload
    assert decoded.event_type == event_type_of(event_cls) == json.loads(raw)["event_type"]
    assert decoded.event_id == event_id
    assert decoded.correlation_id == correlation
    assert decoded.schema_version == topic.version
    assert decoded.key == str(TENANT).encode()
    assert ("event_type", decoded.event_type.encode()) in decoded.header_pairs()


def test_decimals_travel_as_plain_strings() -> None:
    payload = SkusChanged(
        **HEADER, records=[sku_record(cost=Decimal("12.50"), price=Decimal("1E+2"))]
    )
    dumped = payload.model_dump(mode="json")["records"][0]
    assert dumped["cost"] == "12.50"
    assert dumped["price"] == "100"
    assert dumped["purchase_uom_conversion_rate"] == "12"

    raw = SKUS.envelope(payload, TENANT, "test").to_json_bytes()
    wire = json.loads(raw)["payload"]["records"][0]
    assert wire["cost"] == "12.50"
    assert wire["moq"] == "24"

    record = SKUS.decode(raw).payload.records[0]
    assert record.cost == Decimal("12.50")
    assert isinstance(record.cost, Decimal)
    assert str(record.cost) == "12.50"


def test_decimal_json_schema_is_a_pattern_string() -> None:
    schema = SKUS.json_schema()["$defs"]["SkuRecord"]["properties"]["cost"]
    string_member = schema["anyOf"][0]
    assert string_member["type"] == "string"
    assert string_member["pattern"] == r"^-?\d+(\.\d+)?$"


@pytest.mark.parametrize("bad", ["NaN", "Infinity", "12,5", "abc"])
def test_non_finite_or_malformed_decimals_are_rejected(bad: str) -> None:
    with pytest.raises(ValidationError):
        sku_record(cost=bad)


def test_integer_provider_ids_become_strings() -> None:
    record = sku_record(variant_id=501, default_supplier_id=7)  # type: ignore[arg-type]
    assert record.variant_id == "501"
    assert record.default_supplier_id == "7"


def test_naive_datetimes_are_rejected() -> None:
    with pytest.raises(ValidationError, match="timezone"):
        sku_record(updated_at=AT.replace(tzinfo=None))


def test_unknown_fields_are_ignored_for_forward_compatibility() -> None:
    raw = json.loads(
        SKUS.envelope(SkusChanged(**HEADER, records=[sku_record()]), TENANT, "t").to_json_bytes()
    )
    raw["added_later"] = 1
    raw["payload"]["new_header_field"] = "x"
    raw["payload"]["records"][0]["new_record_field"] = {"nested": True}

    decoded = SKUS.decode(json.dumps(raw))

    assert decoded.payload.records[0] == sku_record()


def test_payloads_are_frozen() -> None:
    record = sku_record()
    with pytest.raises(ValidationError):
        record.name = "renamed"  # type: ignore[misc]


def test_derived_event_ids_are_deterministic() -> None:
    first = derived_event_id("conn-1", "sync-1", "skus", 3)
    assert first == derived_event_id("conn-1", "sync-1", "skus", 3)
    assert first != derived_event_id("conn-1", "sync-1", "skus", 4)
    assert first.version == 5


def test_envelope_event_ids_are_random_unless_given() -> None:
    payload = SkusChanged(**HEADER, records=[sku_record()])
    a = SKUS.envelope(payload, TENANT, "t")
    b = SKUS.envelope(payload, TENANT, "t")
    fixed = SKUS.envelope(payload, TENANT, "t", event_id=derived_event_id("x"), occurred_at=AT)
    assert a.event_id != b.event_id
    assert fixed.event_id == derived_event_id("x")
    assert fixed.occurred_at == AT
