"""A small Ajv-like validator for request bodies (additionalProperties: false)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from katana_sandbox.errors import detail, validation_error

TYPES: dict[str, tuple[type, ...]] = {
    "integer": (int,),
    "number": (int, float),
    "string": (str,),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}


@dataclass(frozen=True, slots=True)
class Prop:
    """Schema of one property."""

    type: str
    required: bool = False
    nullable: bool = False
    enum: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    min_length: int | None = None
    max_length: int | None = None
    min_items: int | None = None
    items: dict[str, Prop] | None = None


def _check(value: Any, prop: Prop, path: str, out: list[dict[str, Any]]) -> None:
    if value is None:
        if not prop.nullable:
            out.append(detail(path, "type", f"should be {prop.type}", type=prop.type))
        return
    ok = isinstance(value, TYPES[prop.type]) and not (
        prop.type in ("integer", "number") and isinstance(value, bool)
    )
    if not ok:
        out.append(detail(path, "type", f"should be {prop.type}", type=prop.type))
        return
    if prop.enum is not None and value not in prop.enum:
        out.append(
            detail(
                path,
                "enum",
                "should be equal to one of the allowed values",
                allowedValues=list(prop.enum),
            )
        )
    if prop.minimum is not None and value < prop.minimum:
        out.append(
            detail(
                path, "minimum", f"should be >= {prop.minimum}", comparison=">=", limit=prop.minimum
            )
        )
    if prop.maximum is not None and value > prop.maximum:
        out.append(
            detail(
                path, "maximum", f"should be <= {prop.maximum}", comparison="<=", limit=prop.maximum
            )
        )
    if prop.min_length is not None and len(value) < prop.min_length:
        out.append(
            detail(
                path,
                "minLength",
                f"should NOT be shorter than {prop.min_length} characters",
                limit=prop.min_length,
            )
        )
    if prop.max_length is not None and len(value) > prop.max_length:
        out.append(
            detail(
                path,
                "maxLength",
                f"should NOT be longer than {prop.max_length} characters",
                limit=prop.max_length,
            )
        )
    if prop.min_items is not None and len(value) < prop.min_items:
        out.append(
            detail(
                path,
                "minItems",
                f"should NOT have fewer than {prop.min_items} items",
                limit=prop.min_items,
            )
        )
    if prop.items is not None and isinstance(value, list):
        for i, item in enumerate(value):
            _object(item, prop.items, f"{path}[{i}]", out)


def _object(body: Any, schema: dict[str, Prop], path: str, out: list[dict[str, Any]]) -> None:
    if not isinstance(body, dict):
        out.append(detail(path or ".", "type", "should be object", type="object"))
        return
    for key in body:
        if key not in schema:
            out.append(
                detail(
                    path or ".",
                    "additionalProperties",
                    "should NOT have additional properties",
                    additionalProperty=key,
                )
            )
    for key, prop in schema.items():
        if key not in body:
            if prop.required:
                out.append(
                    detail(
                        path or ".",
                        "required",
                        f"should have required property '{key}'",
                        missingProperty=key,
                    )
                )
            continue
        _check(body[key], prop, f"{path}.{key}", out)


def validate(body: Any, schema: dict[str, Prop]) -> None:
    """Raise a 422 ``VALIDATION_FAILED`` KatanaError when ``body`` violates ``schema``."""
    out: list[dict[str, Any]] = []
    _object(body, schema, "", out)
    if out:
        raise validation_error(out)
