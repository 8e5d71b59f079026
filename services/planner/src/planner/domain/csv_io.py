"""Settings CSV import and export.

One row per scope: ``scope`` (global | supplier | product), ``scope_id`` (supplier or
variant id; empty for global), ``location_id`` (product rows only; empty = every
location), then one column per setting key (``supplier_id`` last: product rows only).
An empty cell means "not set", so exporting and importing the same file changes nothing.
Lists use ``|`` between statuses.

Export neutralises cells that a spreadsheet would run as a formula (starting with
``= + - @`` or a tab / carriage return) by prefixing ``'``; import strips that prefix.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from planner.domain.errors import SettingError
from planner.domain.settings import ALL_KEYS, SCOPES, SUPPLIER_KEY, check_scope, parse_value

HEADER: tuple[str, ...] = ("scope", "scope_id", "location_id", *ALL_KEYS)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_ROWS = 100_000


def neutralise(cell: str) -> str:
    """Prefix ``'`` to a cell a spreadsheet would evaluate as a formula."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def _unneutralise(cell: str) -> str:
    if cell.startswith("'") and cell[1:].startswith(_FORMULA_START):
        return cell[1:]
    return cell


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "|".join(str(v) for v in value)
    return str(value)


@dataclass(frozen=True)
class ScopeRow:
    """Settings of one scope as stored: values map key → canonical value."""

    scope: str
    scope_id: str
    location_id: str
    values: Mapping[str, Any]


def export_csv(rows: Iterable[ScopeRow]) -> str:
    """Render scopes as CSV text with formula-like cells neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in rows:
        cells = [row.scope, row.scope_id, row.location_id]
        cells += [_cell(row.values.get(key)) for key in ALL_KEYS]
        writer.writerow([neutralise(c) for c in cells])
    return out.getvalue()


@dataclass(frozen=True)
class RowError:
    """A problem in one CSV row (``row`` counts the header as row 1)."""

    row: int
    column: str | None
    message: str


@dataclass
class ParsedCsv:
    """Valid scopes and per-row errors of an imported file."""

    rows: list[ScopeRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def parse_csv(text: str) -> ParsedCsv:
    """Parse and validate a settings CSV; every bad cell is reported with its row."""
    result = ParsedCsv()
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader, None)
    if header is None:
        result.errors.append(RowError(1, None, "the file is empty"))
        return result
    names = [h.strip() for h in header]
    unknown = [h for h in names if h not in HEADER]
    if unknown or "scope" not in names:
        result.errors.append(
            RowError(1, None, f"unknown or missing columns: {', '.join(unknown) or 'scope'}")
        )
        return result
    seen: set[tuple[str, str, str]] = set()
    for number, cells in enumerate(reader, start=2):
        if number > MAX_ROWS:
            result.errors.append(RowError(number, None, f"more than {MAX_ROWS} rows"))
            break
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(names):
            result.errors.append(
                RowError(number, None, f"{len(cells)} cells, expected {len(names)}")
            )
            continue
        record = {n: _unneutralise(c.strip()) for n, c in zip(names, cells, strict=True)}
        row = _parse_row(number, record, result.errors)
        if row is None:
            continue
        key = (row.scope, row.scope_id, row.location_id)
        if key in seen:
            result.errors.append(RowError(number, "scope_id", "duplicate scope in this file"))
            continue
        seen.add(key)
        result.rows.append(row)
    return result


def _parse_row(number: int, record: dict[str, str], errors: list[RowError]) -> ScopeRow | None:
    scope = record.get("scope", "").lower()
    scope_id = record.get("scope_id", "")
    location_id = record.get("location_id", "")
    if scope not in SCOPES:
        errors.append(RowError(number, "scope", f"must be one of {', '.join(SCOPES)}"))
        return None
    if scope == "global" and (scope_id or location_id):
        errors.append(RowError(number, "scope_id", "global rows have no scope_id or location"))
        return None
    if scope != "global" and not scope_id:
        errors.append(RowError(number, "scope_id", f"a {scope} row needs a scope_id"))
        return None
    if scope == "supplier" and location_id:
        errors.append(RowError(number, "location_id", "supplier rows have no location"))
        return None
    values: dict[str, Any] = {}
    ok = True
    for key in ALL_KEYS:
        if key not in record:
            continue
        try:
            values[key] = parse_value(key, record[key])
            if key == SUPPLIER_KEY:
                check_scope(scope, values)
        except SettingError as exc:
            errors.append(RowError(number, key, exc.message))
            ok = False
    return ScopeRow(scope, scope_id, location_id, values) if ok else None
