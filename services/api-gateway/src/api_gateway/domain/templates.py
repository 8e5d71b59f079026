"""Matching concrete paths to the path templates of the public OpenAPI document (pure):
the gateway forwards only documented operations and audits writes by template."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_PARAM = re.compile(r"\{[^}/]+\}")


@dataclass(frozen=True)
class Template:
    path: str
    methods: frozenset[str]
    pattern: re.Pattern[str]


def compile_templates(paths: Iterable[tuple[str, Iterable[str]]]) -> list[Template]:
    """(template, methods) pairs -> matchers; literal segments win over parameters."""
    compiled = []
    for path, methods in paths:
        regex = "".join(
            re.escape(part) if not _PARAM.fullmatch(part) else "[^/]+"
            for part in re.split(r"(\{[^}/]+\})", path)
        )
        compiled.append(
            Template(path, frozenset(m.upper() for m in methods), re.compile(regex + r"\Z"))
        )
    compiled.sort(key=lambda t: (t.path.count("{"), -len(t.path)))
    return compiled


def match(templates: list[Template], method: str, path: str) -> tuple[str | None, bool]:
    """(template, method allowed) for ``path``; (None, False) when no template matches."""
    found: str | None = None
    for template in templates:
        if template.pattern.match(path):
            if method in template.methods:
                return template.path, True
            found = found or template.path
    return found, False
