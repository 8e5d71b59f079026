from __future__ import annotations

import copy
from typing import Any, Literal

from restock_contracts import SKUS, Event, Topic
from restock_contracts.catalog.v1 import SkusChanged
from restock_contracts.compat import SchemaChange, classify, compare_schemas


def _obj(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": required}


STR = {"type": "string"}
INT = {"type": "integer"}
NULLABLE_STR = {"anyOf": [STR, {"type": "null"}], "default": None}
BASE = _obj({"id": STR, "qty": INT, "note": NULLABLE_STR}, ["id", "qty"])


def _kinds(changes: list[SchemaChange]) -> list[tuple[str, str, str]]:
    return [(c.kind, c.path, c.message) for c in changes]


def test_identical_schemas_are_unchanged() -> None:
    assert compare_schemas(BASE, copy.deepcopy(BASE)) == []
    assert classify([]) == "unchanged"


def test_removed_field_is_breaking() -> None:
    new = _obj({"id": STR, "note": NULLABLE_STR}, ["id"])
    changes = compare_schemas(BASE, new)
    assert ("breaking", "qty", "removed field") in _kinds(changes)
    assert classify(changes) == "breaking"


def test_changed_type_is_breaking() -> None:
    new = _obj({"id": STR, "qty": {"type": "number"}, "note": NULLABLE_STR}, ["id", "qty"])
    assert _kinds(compare_schemas(BASE, new)) == [
        ("breaking", "qty", "type changed 'integer' -> 'number'")
    ]


def test_new_required_field_is_breaking() -> None:
    new = _obj({**BASE["properties"], "sku": STR}, ["id", "qty", "sku"])
    assert _kinds(compare_schemas(BASE, new)) == [("breaking", "sku", "new required field")]


def test_new_optional_field_is_additive() -> None:
    new = _obj({**BASE["properties"], "sku": NULLABLE_STR}, ["id", "qty"])
    changes = compare_schemas(BASE, new)
    assert _kinds(changes) == [("additive", "sku", "new optional field")]
    assert classify(changes) == "additive"


def test_optional_made_required_is_breaking_and_the_reverse_additive() -> None:
    tightened = _obj(BASE["properties"], ["id", "qty", "note"])
    loosened = _obj({**BASE["properties"], "qty": {**INT, "default": 0}}, ["id"])
    assert classify(compare_schemas(BASE, tightened)) == "breaking"
    changes = compare_schemas(BASE, loosened)
    assert ("additive", "qty", "required field became optional") in _kinds(changes)
    assert classify(changes) == "additive"


def test_becoming_nullable_is_breaking() -> None:
    new = _obj({**BASE["properties"], "id": {"anyOf": [STR, {"type": "null"}]}}, ["id", "qty"])
    assert _kinds(compare_schemas(BASE, new)) == [("breaking", "id", "became nullable")]


def test_enum_values_added_or_removed_are_breaking() -> None:
    old = _obj({"status": {"type": "string", "enum": ["open", "done"]}}, ["status"])
    added = _obj({"status": {"type": "string", "enum": ["open", "done", "void"]}}, ["status"])
    removed = _obj({"status": {"type": "string", "enum": ["open"]}}, ["status"])
    assert _kinds(compare_schemas(old, added)) == [("breaking", "status", "values added: ['void']")]
    assert _kinds(compare_schemas(old, removed)) == [
        ("breaking", "status", "values removed: ['done']")
    ]


def test_documentation_changes_are_additive() -> None:
    new = copy.deepcopy(BASE)
    new["properties"]["id"] = {**STR, "description": "The id."}
    assert _kinds(compare_schemas(BASE, new)) == [("additive", "id", "description changed")]


def test_changes_inside_referenced_definitions_are_found() -> None:
    old = {
        "$defs": {"Line": _obj({"qty": INT}, ["qty"])},
        **_obj({"lines": {"type": "array", "items": {"$ref": "#/$defs/Line"}}}, ["lines"]),
    }
    new = copy.deepcopy(old)
    new["$defs"]["Line"]["properties"]["qty"] = STR
    assert _kinds(compare_schemas(old, new)) == [
        ("breaking", "lines.[].qty", "type changed 'integer' -> 'string'")
    ]


class _SkusRetired(Event):
    """A brand-new event type on the topic."""

    event_type: Literal["catalog.skus_retired"] = "catalog.skus_retired"
    variant_ids: list[str]


def test_new_event_type_on_a_real_topic_is_additive() -> None:
    grown = Topic(SKUS.name, (*SKUS.events, _SkusRetired), description=SKUS.description)
    changes = compare_schemas(SKUS.json_schema(), grown.json_schema())
    assert _kinds(changes) == [("additive", "payload", "new event catalog.skus_retired")]


def test_removed_event_type_on_a_real_topic_is_breaking() -> None:
    shrunk = Topic(SKUS.name, (SkusChanged,), description=SKUS.description)
    changes = compare_schemas(SKUS.json_schema(), shrunk.json_schema())
    assert classify(changes) == "breaking"
    assert ("breaking", "payload", "no longer accepts event connectors.stream_completed") in (
        _kinds(changes)
    )


def test_removing_a_record_field_from_a_real_snapshot_is_breaking() -> None:
    old = SKUS.json_schema()
    new = copy.deepcopy(old)
    del new["$defs"]["SkuRecord"]["properties"]["moq"]
    changes = compare_schemas(old, new)
    assert _kinds(changes) == [
        ("breaking", "payload<catalog.skus_changed>.records.[].moq", "removed field")
    ]
    assert str(changes[0]).startswith("BREAKING  payload<catalog.skus_changed>")
