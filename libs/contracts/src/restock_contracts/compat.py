"""Classify the difference between two JSON Schemas of a topic as additive or breaking.

Rules (old schema = committed snapshot, new = generated from the code):

- breaking: a removed field; a new required field; an optional field made required; a
  changed type, format, pattern or bound; a type that became nullable or a union that
  gained or lost a member; enum / literal values removed or added (a consumer still on
  the old models rejects a value it does not know); a removed event type;
- additive: a new optional field; a required field made optional (producers still send
  it); a new event type in a topic (older consumers get ``UnknownEventType`` and can skip
  it); documentation (title, description) and default changes.

Within a ``v1`` topic only additive changes are expected once the journey works end to
end; a breaking change becomes a ``v2`` topic with dual publishing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

ChangeKind = Literal["additive", "breaking"]

_DOC_KEYS = ("title", "description")
_CONSTRAINT_KEYS = (
    "type",
    "format",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
)

Schema = Mapping[str, Any]


@dataclass(frozen=True)
class SchemaChange:
    """One difference between two schemas, at a dotted ``path`` inside the message."""

    kind: ChangeKind
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.kind.upper():9} {self.path or '<root>'}: {self.message}"


def classify(changes: list[SchemaChange]) -> Literal["unchanged", "additive", "breaking"]:
    """Overall verdict for a list of changes."""
    if not changes:
        return "unchanged"
    return "breaking" if any(c.kind == "breaking" for c in changes) else "additive"


def compare_schemas(old: Schema, new: Schema) -> list[SchemaChange]:
    """List the changes from ``old`` to ``new`` (both JSON Schemas with local ``$defs``)."""
    walker = _Walker(old, new)
    walker.walk(old, new, "")
    return walker.changes


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


class _Walker:
    def __init__(self, old_root: Schema, new_root: Schema) -> None:
        self.old_root = old_root
        self.new_root = new_root
        self.changes: list[SchemaChange] = []
        self._seen: set[tuple[str, str]] = set()

    def add(self, kind: ChangeKind, path: str, message: str) -> None:
        self.changes.append(SchemaChange(kind, path, message))

    def walk(self, old: Schema, new: Schema, path: str) -> None:
        old, old_ref = _resolve(old, self.old_root)
        new, new_ref = _resolve(new, self.new_root)
        if old_ref and new_ref:
            if (old_ref, new_ref) in self._seen:
                return
            self._seen.add((old_ref, new_ref))
        for key in _DOC_KEYS:
            if old.get(key) != new.get(key) and path:
                self.add("additive", path, f"{key} changed")
        if "default" in old and "default" in new and old["default"] != new["default"]:
            self.add("additive", path, f"default changed {old['default']!r} -> {new['default']!r}")
        if _members(old) is None and _members(new) is None:
            self._compare_node(old, new, path)
        else:
            self._compare_union(old, new, path)

    def _compare_union(self, old: Schema, new: Schema, path: str) -> None:
        old_members = self._keyed(_members(old) or [old], self.old_root)
        new_members = self._keyed(_members(new) or [new], self.new_root)
        for key in old_members.keys() - new_members.keys():
            self.add("breaking", path, f"no longer accepts {key}")
        for key in sorted(new_members.keys() - old_members.keys()):
            if key.startswith("event "):
                self.add("additive", path, f"new {key}")
            elif key == "null":
                self.add("breaking", path, "became nullable")
            else:
                self.add("breaking", path, f"now also accepts {key}")
        for key in sorted(old_members.keys() & new_members.keys()):
            is_event = key.startswith("event ")
            member_path = f"{path}<{key.removeprefix('event ')}>" if is_event else path
            self.walk(old_members[key], new_members[key], member_path)

    def _keyed(self, members: list[Schema], root: Schema) -> dict[str, Schema]:
        keyed: dict[str, Schema] = {}
        for member in members:
            resolved, _ = _resolve(member, root)
            event_type = resolved.get("properties", {}).get("event_type", {}).get("const")
            key = f"event {event_type}" if isinstance(event_type, str) else _type_key(resolved)
            while key in keyed:
                key += "'"
            keyed[key] = member
        return keyed

    def _compare_node(self, old: Schema, new: Schema, path: str) -> None:
        for key in _CONSTRAINT_KEYS:
            if old.get(key) != new.get(key):
                self.add("breaking", path, f"{key} changed {old.get(key)!r} -> {new.get(key)!r}")
        old_values, new_values = _literal_values(old), _literal_values(new)
        if old_values is not None or new_values is not None:
            old_set, new_set = set(old_values or ()), set(new_values or ())
            if old_set - new_set:
                self.add("breaking", path, f"values removed: {sorted(old_set - new_set)}")
            if new_set - old_set:
                self.add("breaking", path, f"values added: {sorted(new_set - old_set)}")
        self._compare_properties(old, new, path)
        for key in ("items", "additionalProperties"):
            old_sub, new_sub = old.get(key), new.get(key)
            if isinstance(old_sub, Mapping) and isinstance(new_sub, Mapping):
                self.walk(old_sub, new_sub, _join(path, "[]" if key == "items" else "{}"))
            elif old_sub != new_sub:
                self.add("breaking", path, f"{key} changed")

    def _compare_properties(self, old: Schema, new: Schema, path: str) -> None:
        old_props: Mapping[str, Schema] = old.get("properties", {})
        new_props: Mapping[str, Schema] = new.get("properties", {})
        old_required, new_required = set(old.get("required", ())), set(new.get("required", ()))
        for name in sorted(old_props.keys() - new_props.keys()):
            self.add("breaking", _join(path, name), "removed field")
        for name in sorted(new_props.keys() - old_props.keys()):
            if name in new_required:
                self.add("breaking", _join(path, name), "new required field")
            else:
                self.add("additive", _join(path, name), "new optional field")
        for name in sorted(old_props.keys() & new_props.keys()):
            field_path = _join(path, name)
            if name in new_required and name not in old_required:
                self.add("breaking", field_path, "optional field became required")
            elif name in old_required and name not in new_required:
                self.add("additive", field_path, "required field became optional")
            self.walk(old_props[name], new_props[name], field_path)


def _resolve(node: Schema, root: Schema) -> tuple[Schema, str | None]:
    ref_name: str | None = None
    while "$ref" in node:
        ref = node["$ref"]
        if not ref.startswith("#/$defs/"):
            raise ValueError(f"only local $defs references are supported, got {ref!r}")
        ref_name = ref.removeprefix("#/$defs/")
        node = root.get("$defs", {})[ref_name]
    return node, ref_name


def _members(node: Schema) -> list[Schema] | None:
    for key in ("anyOf", "oneOf"):
        if key in node:
            members: list[Schema] = node[key]
            return members
    return None


def _literal_values(node: Schema) -> list[Any] | None:
    if "enum" in node:
        values: list[Any] = node["enum"]
        return values
    if "const" in node:
        return [node["const"]]
    return None


def _type_key(node: Schema) -> str:
    kind = node.get("type")
    if isinstance(kind, str):
        return kind
    return json.dumps(kind, sort_keys=True) if kind is not None else "any"
