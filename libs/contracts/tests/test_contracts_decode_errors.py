from __future__ import annotations

import json
from typing import Any

import pytest
from contracts_samples import HEADER, TENANT, sku_record

from restock_contracts import (
    PLANS,
    SKUS,
    TENANTS,
    ContractError,
    UnknownEventType,
)
from restock_contracts.catalog.v1 import SkusChanged
from restock_contracts.tenancy.v1 import TenantDeleted


def _valid() -> dict[str, Any]:
    envelope = SKUS.envelope(SkusChanged(**HEADER, records=[sku_record()]), TENANT, "test")
    data: dict[str, Any] = json.loads(envelope.to_json_bytes())
    return data


def test_bad_json_raises_contract_error() -> None:
    with pytest.raises(ContractError) as info:
        SKUS.decode(b"{not json")
    assert info.value.reason == "invalid_json"
    assert info.value.topic == "catalog.skus.v1"
    assert isinstance(info.value, ValueError)
    assert "invalid_json" in str(info.value)


def test_json_that_is_not_an_object_is_rejected() -> None:
    with pytest.raises(ContractError) as info:
        SKUS.decode(b"[1, 2]")
    assert info.value.reason == "invalid_envelope"


def test_unknown_event_type_raises_its_own_error() -> None:
    data = _valid()
    data["event_type"] = data["payload"]["event_type"] = "catalog.skus_exploded"
    with pytest.raises(UnknownEventType) as info:
        SKUS.decode(json.dumps(data))
    assert info.value.reason == "unknown_event_type"
    assert "catalog.skus_exploded" in str(info.value)
    assert "catalog.skus_changed" in str(info.value)


def test_unknown_event_type_on_a_single_event_topic() -> None:
    data = _valid()
    data["event_type"] = data["payload"]["event_type"] = "planning.plan_deleted"
    with pytest.raises(UnknownEventType, match=r"planning\.plan_deleted"):
        PLANS.decode(json.dumps(data))


def test_missing_tenant_is_reported_by_name() -> None:
    data = _valid()
    del data["tenant_id"]
    with pytest.raises(ContractError) as info:
        SKUS.decode(json.dumps(data))
    assert info.value.reason == "invalid_envelope"
    assert "tenant_id: Field required" in str(info.value)


def test_invalid_payload_field_is_reported_with_its_path() -> None:
    data = _valid()
    data["payload"]["records"][0]["cost"] = "twelve"
    with pytest.raises(ContractError, match=r"payload\.catalog\.skus_changed\.records\.0\.cost"):
        SKUS.decode(json.dumps(data))


def test_envelope_and_payload_event_types_must_agree() -> None:
    data = _valid()
    data["event_type"] = "catalog.something_else"
    with pytest.raises(ContractError) as info:
        SKUS.decode(json.dumps(data))
    assert info.value.reason == "event_type_mismatch"


def test_message_of_another_topic_is_rejected() -> None:
    raw = TENANTS.envelope(TenantDeleted(tenant_id=TENANT), TENANT, "gw").to_json_bytes()
    with pytest.raises(UnknownEventType, match=r"tenancy\.tenant_deleted"):
        SKUS.decode(raw)


def test_envelope_refuses_a_payload_of_another_topic() -> None:
    with pytest.raises(ContractError) as info:
        SKUS.envelope(TenantDeleted(tenant_id=TENANT), TENANT, "gw")
    assert info.value.reason == "wrong_topic"
