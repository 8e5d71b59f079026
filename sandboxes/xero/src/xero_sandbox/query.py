"""A small, safe parser for Xero ``where`` and ``order`` expressions (no eval).

Supported: ``==  !=  >  >=  <  <=``, ``&&``/``AND``, ``||``/``OR``, ``!``/``NOT``,
parentheses, string/number/bool/null literals, ``DateTime(y,m,d[,h,mi,s])``,
``Guid("…")``, dotted paths (``Contact.ContactID``) and the string methods
``Contains``, ``StartsWith`` and ``EndsWith``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from xero_sandbox.msdates import as_utc

Predicate = Callable[[dict[str, Any]], Any]

_TOKEN = re.compile(
    r'\s*(?:(?P<str>"(?:[^"\\]|\\.)*")|(?P<num>-?\d+(?:\.\d+)?)|'
    r"(?P<op>==|!=|>=|<=|>|<|&&|\|\||!|\(|\)|,|\.)|(?P<id>[A-Za-z_][A-Za-z0-9_]*))"
)
_METHODS = {
    "contains": lambda a, b: b in a,
    "startswith": lambda a, b: a.startswith(b),
    "endswith": lambda a, b: a.endswith(b),
}


class QueryError(ValueError):
    """An expression the sandbox cannot parse."""


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise QueryError(f"unexpected character at position {pos}: {text[pos : pos + 10]!r}")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        pos = match.end()
    return tokens


def lookup(record: dict[str, Any], path: list[str]) -> Any:
    """Resolve a dotted path on a record, matching keys case-insensitively."""
    value: Any = record
    for part in path:
        if not isinstance(value, dict):
            return None
        if part in value:
            value = value[part]
            continue
        lowered = part.lower()
        value = next((v for k, v in value.items() if k.lower() == lowered), None)
    return value


def _norm(value: Any) -> Any:
    if isinstance(value, date):
        return as_utc(value)
    if isinstance(value, str):
        return value.casefold()
    return value


def normalise(value: Any) -> Any:
    """A value as ``where`` compares it (dates as UTC instants, strings casefolded)."""
    return _norm(value)


def _compare(op: str, left: Any, right: Any) -> bool:
    a, b = _norm(left), _norm(right)
    if op == "==":
        return bool(a == b)
    if op == "!=":
        return bool(a != b)
    if a is None or b is None:
        return False
    try:
        if op == ">":
            return bool(a > b)
        if op == ">=":
            return bool(a >= b)
        if op == "<":
            return bool(a < b)
        return bool(a <= b)
    except TypeError:
        return False


def _either(a: Predicate, b: Predicate) -> Predicate:
    return lambda r: bool(a(r)) or bool(b(r))


def _both(a: Predicate, b: Predicate) -> Predicate:
    return lambda r: bool(a(r)) and bool(b(r))


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokenize(text)
        self.pos = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos][1] if self.pos < len(self.tokens) else None

    def take(self, expected: str | None = None) -> tuple[str, str]:
        if self.pos >= len(self.tokens):
            raise QueryError("unexpected end of expression")
        token = self.tokens[self.pos]
        if expected is not None and token[1].upper() != expected.upper():
            raise QueryError(f"expected {expected!r} but found {token[1]!r}")
        self.pos += 1
        return token

    def parse(self) -> Predicate:
        node = self.or_expr()
        if self.pos != len(self.tokens):
            raise QueryError(f"unexpected token {self.tokens[self.pos][1]!r}")
        return node

    def or_expr(self) -> Predicate:
        node = self.and_expr()
        while (self.peek() or "").upper() in ("||", "OR"):
            self.take()
            node = _either(node, self.and_expr())
        return node

    def and_expr(self) -> Predicate:
        node = self.unary()
        while (self.peek() or "").upper() in ("&&", "AND"):
            self.take()
            node = _both(node, self.unary())
        return node

    def unary(self) -> Predicate:
        if (self.peek() or "").upper() in ("!", "NOT"):
            self.take()
            inner = self.unary()
            return lambda r: not inner(r)
        if self.peek() == "(":
            self.take("(")
            node = self.or_expr()
            self.take(")")
            return node
        left = self.operand()
        op = self.peek()
        if op in ("==", "!=", ">", ">=", "<", "<="):
            self.take()
            right = self.operand()
            return lambda r: _compare(op, left(r), right(r))
        return left

    def operand(self) -> Predicate:
        kind, text = self.take()
        if kind == "str":
            value = re.sub(r"\\(.)", r"\1", text[1:-1])
            return lambda r: value
        if kind == "num":
            number = float(text) if "." in text else int(text)
            return lambda r: number
        if kind != "id":
            raise QueryError(f"unexpected token {text!r}")
        upper = text.upper()
        if upper in ("TRUE", "FALSE"):
            flag = upper == "TRUE"
            return lambda r: flag
        if upper == "NULL":
            return lambda r: None
        if upper in ("DATETIME", "DATETIMEOFFSET") and self.peek() == "(":
            instant = self._datetime()
            return lambda r: instant
        if upper == "GUID" and self.peek() == "(":
            self.take("(")
            kind, raw = self.take()
            self.take(")")
            if kind != "str":
                raise QueryError("Guid() needs a string")
            guid = raw[1:-1].lower()
            return lambda r: guid
        return self._path(text)

    def _datetime(self) -> datetime:
        self.take("(")
        parts: list[int] = []
        while True:
            kind, text = self.take()
            if kind != "num":
                raise QueryError("DateTime() takes integers")
            parts.append(int(text))
            if self.peek() == ",":
                self.take(",")
                continue
            self.take(")")
            break
        if not 3 <= len(parts) <= 6:
            raise QueryError("DateTime() takes 3 to 6 arguments")
        try:
            padded = [*parts, 0, 0, 0][:6]
            return datetime(
                padded[0], padded[1], padded[2], padded[3], padded[4], padded[5], tzinfo=UTC
            )
        except ValueError as exc:
            raise QueryError(str(exc)) from exc

    def _path(self, first: str) -> Predicate:
        path = [first]
        while self.peek() == ".":
            self.take(".")
            kind, name = self.take()
            if kind != "id":
                raise QueryError("expected a field name after '.'")
            if self.peek() == "(":
                method = _METHODS.get(name.lower())
                if method is None:
                    raise QueryError(f"unsupported method {name}")
                self.take("(")
                arg = self.operand()
                self.take(")")
                target = list(path)
                return lambda r: (
                    isinstance(lookup(r, target), str)
                    and method(lookup(r, target).casefold(), str(arg(r)).casefold())
                )
            path.append(name)
        return lambda r: lookup(r, path)


def compile_where(text: str) -> Predicate:
    """Compile a ``where`` expression into a predicate over records."""
    return _Parser(text).parse()


def sort_records(records: list[dict[str, Any]], order: str) -> list[dict[str, Any]]:
    """Sort by an ``order`` expression such as ``UpdatedDateUTC ASC, Name DESC``."""
    result = list(records)
    clauses = [c.split() for c in order.split(",") if c.strip()]
    for clause in reversed(clauses):
        if len(clause) > 2 or (len(clause) == 2 and clause[1].upper() not in ("ASC", "DESC")):
            raise QueryError(f"invalid order clause {' '.join(clause)!r}")
        path = clause[0].split(".")
        descending = len(clause) == 2 and clause[1].upper() == "DESC"

        def key(record: dict[str, Any], path: list[str] = path) -> tuple[int, Any]:
            value = _norm(lookup(record, path))
            if isinstance(value, datetime):
                value = value.timestamp()
            return (0, "") if value is None else (1, value)

        try:
            result.sort(key=key, reverse=descending)
        except TypeError as exc:
            raise QueryError(f"cannot order by {clause[0]}") from exc
    return result


_KEYWORDS = {"TRUE", "FALSE", "NULL", "DATETIME", "DATETIMEOFFSET", "GUID", "AND", "OR", "NOT"}
_CALLABLE = {"DATETIME", "DATETIMEOFFSET", "GUID", "CONTAINS", "STARTSWITH", "ENDSWITH"}
_COMPARISONS = ("==", "!=", ">", ">=", "<", "<=")


def simple_conjuncts(text: str) -> list[tuple[str, str, Any]]:
    """``(field, op, normalised literal)`` terms every match of ``text`` must satisfy.

    Only for a plain conjunction (no OR, NOT or grouping parentheses); each returned
    term is a top-level ``Field op literal`` comparison, so it is a necessary condition
    and may be used to narrow candidates before the full predicate runs.
    """
    tokens = _tokenize(text)
    for i, (kind, value) in enumerate(tokens):
        if kind == "op" and value in ("||", "!"):
            return []
        if kind == "id" and value.upper() in ("OR", "NOT"):
            return []
        if value == "(" and (i == 0 or tokens[i - 1][1].upper() not in _CALLABLE):
            return []
    parts: list[list[tuple[str, str]]] = [[]]
    for kind, value in tokens:
        if value in ("&&",) or (kind == "id" and value.upper() == "AND"):
            parts.append([])
        else:
            parts[-1].append((kind, value))
    terms: list[tuple[str, str, Any]] = []
    for part in parts:
        if len(part) < 3 or part[0][0] != "id" or part[0][1].upper() in _KEYWORDS:
            continue
        if part[1][1] not in _COMPARISONS:
            continue
        if part[2][0] == "id" and part[2][1].upper() not in ("DATETIME", "DATETIMEOFFSET"):
            continue
        parser = _Parser.__new__(_Parser)
        parser.tokens, parser.pos = part[2:], 0
        literal = parser.operand()
        if parser.pos == len(parser.tokens):
            terms.append((part[0][1], part[1][1], _norm(literal({}))))
    return terms
