"""In-memory resource tables with Katana list semantics (filters, pagination, deletes)."""

from __future__ import annotations

import gc
import json
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from katana_sandbox.index import ListIndex
from katana_sandbox.serialize import JSON, iso

MAX_LIMIT = 250
DEFAULT_LIMIT = 50
DATE_FILTERS = ("created_at_min", "created_at_max", "updated_at_min", "updated_at_max")


@dataclass(frozen=True, slots=True)
class Filter:
    """A query filter: ``kind`` is int, str, bool, ints (repeatable) or strs."""

    field: str
    kind: str


@dataclass
class Table:
    """Rows keyed by id in creation order; built lazily from ``loader``.

    ``volatile`` tables (derived views such as inventory) reload from ``loader`` after
    every :meth:`invalidate`; others keep their rows and only drop their list index.
    Rows of a table that is not ``keyed`` have no id and are keyed by position.
    """

    name: str
    loader: Callable[[], Iterable[JSON]]
    filters: dict[str, Filter] = field(default_factory=dict)
    soft_delete: bool = True
    date_filters: bool = True
    newest_first: bool = True
    volatile: bool = False
    keyed: bool = True
    index: ListIndex = field(default_factory=ListIndex)
    _rows: dict[Any, JSON] | None = None
    _next_id: int = 1

    @property
    def rows(self) -> dict[Any, JSON]:
        """All rows (including soft-deleted), oldest first."""
        if self._rows is None:
            paused = gc.isenabled()
            gc.disable()
            try:
                loaded = self.loader()
                if self.keyed:
                    self._rows = {r["id"]: r for r in loaded}
                else:
                    self._rows = dict(enumerate(loaded))
            finally:
                if paused:
                    gc.enable()
            ints = [k for k in self._rows if isinstance(k, int)]
            self._next_id = max(ints, default=0) + 1
        return self._rows

    def new_id(self) -> int:
        """Allocate the next integer id."""
        _ = self.rows
        nid = self._next_id
        self._next_id += 1
        return nid

    def invalidate(self) -> None:
        """Drop derived list state because rows may have changed."""
        self.index.clear()
        if self.volatile:
            self._rows = None

    def add(self, row: JSON) -> JSON:
        """Insert (or replace) ``row`` keyed by its id."""
        self.rows[row["id"]] = row
        self.invalidate()
        if isinstance(row["id"], int):
            self._next_id = max(self._next_id, row["id"] + 1)
        return row

    def get(self, key: Any, include_deleted: bool = False) -> JSON | None:
        """Row by id, or None when missing (or soft-deleted unless asked)."""
        row = self.rows.get(key)
        if row is None or (row.get("deleted_at") and not include_deleted):
            return None
        return row


def parse_instant(value: str) -> str | None:
    """Normalise an ISO-8601 query value to the stored string form, None if invalid."""
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if dt.tzinfo is None:
        return None
    return iso(dt)


def _coerce(kind: str, values: list[str]) -> Any:
    try:
        if kind == "int":
            return int(values[-1])
        if kind == "ints":
            return {int(p) for v in values for p in v.split(",") if p}
        if kind == "strs":
            return {p for v in values for p in v.split(",") if p}
        if kind == "bool":
            v = values[-1].lower()
            return {"true": True, "false": False}.get(v)
        return values[-1]
    except ValueError:
        return None


def _int_param(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _ge(c: str, b: str, r: JSON) -> bool:
    return bool((r.get(c) or "") >= b)


def _le(c: str, b: str, r: JSON) -> bool:
    return bool((r.get(c) or "") <= b)


def _in(f: str, w: Any, r: JSON) -> bool:
    return r.get(f) in w


def _eq(f: str, w: Any, r: JSON) -> bool:
    return bool(r.get(f) == w)


def _plan(
    table: Table, params: dict[str, list[str]]
) -> tuple[list[Callable[[JSON], bool]], list[list[int] | None]]:
    """Row predicates plus candidate position lists from the index (None = unindexed)."""
    idx = table.index
    preds: list[Callable[[JSON], bool]] = []
    cands: list[list[int] | None] = []
    if table.soft_delete:
        inc = _coerce("bool", params.get("include_deleted", ["false"]))
        if not inc:
            preds.append(lambda r: r.get("deleted_at") is None)
    if "ids" in params:
        ids = _coerce("ints", params["ids"])
        if ids:
            preds.append(lambda r: r["id"] in ids)
            cands.append(idx.by_ids(ids))
    if table.date_filters:
        bounds: dict[str, list[str | None]] = {}
        for name in DATE_FILTERS:
            if name in params:
                bound = parse_instant(params[name][-1])
                if bound is None:
                    continue
                col = name.rsplit("_", 1)[0]
                lo_hi = bounds.setdefault(col, [None, None])
                if name.endswith("_min"):
                    preds.append(partial(_ge, col, bound))
                    lo_hi[0] = bound
                else:
                    preds.append(partial(_le, col, bound))
                    lo_hi[1] = bound
        for col, (lo, hi) in bounds.items():
            cands.append(idx.date_range(col, lo, hi))
    for pname, flt in table.filters.items():
        if pname not in params:
            continue
        want = _coerce(flt.kind, params[pname])
        if want is None or want == set():
            continue
        if flt.kind in ("ints", "strs"):
            preds.append(partial(_in, flt.field, want))
            cands.append(idx.by_field(flt.field, want))
        else:
            preds.append(partial(_eq, flt.field, want))
            cands.append(idx.by_field(flt.field, [want]))
    return preds, cands


def _select(table: Table, params: dict[str, list[str]]) -> list[JSON]:
    order = table.index.ordered(table.rows, table.newest_first)
    preds, cands = _plan(table, params)
    best: list[int] | None = None
    for c in cands:
        if c is not None and (best is None or len(c) < len(best)):
            best = c
    if best is not None:
        rows: Iterable[JSON] = [order[i] for i in sorted(best)]
    else:
        rows = order
    return [r for r in rows if all(p(r) for p in preds)] if preds else list(rows)


def query(table: Table, params: dict[str, list[str]]) -> tuple[list[JSON], dict[str, str]]:
    """Filter and paginate ``table``; returns (page rows, X-Pagination values).

    Unknown or invalid filters are ignored, like Katana. The matching rows are computed
    from the table's index once per distinct filter set and reused for every page.
    """
    key = tuple(sorted((k, tuple(v)) for k, v in params.items() if k not in ("page", "limit")))
    selected = table.index.remember(key, lambda: _select(table, params))
    limit = min(max(_int_param(params.get("limit", [None])[-1], DEFAULT_LIMIT), 1), MAX_LIMIT)
    page = max(_int_param(params.get("page", [None])[-1], 1), 1)
    total = len(selected)
    pages = max(math.ceil(total / limit), 1)
    offset = (page - 1) * limit
    meta = {
        "total_records": str(total),
        "total_pages": str(pages),
        "offset": str(offset),
        "page": str(page),
        "first_page": "true" if page == 1 else "false",
        "last_page": "true" if page >= pages else "false",
    }
    return selected[offset : offset + limit], meta


def pagination_header(meta: dict[str, str]) -> str:
    """The ``X-Pagination`` header value (compact JSON, string values)."""
    return json.dumps(meta, separators=(",", ":"))
