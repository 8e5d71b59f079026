"""Per-table list indexes: list order, id/field/date lookups, query results and row bytes.

Everything here is derived from a table's rows and dropped by :meth:`ListIndex.clear`, which
the sandbox calls whenever data may have changed (every non-GET request, ``Table.add``).
A page then costs O(matching candidates) once per distinct filter set and O(page) after.
"""

from __future__ import annotations

import json
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Hashable, Iterable
from typing import Any

from katana_sandbox.serialize import JSON

QUERY_CACHE_SIZE = 64
ENCODED_CACHE_ROWS = 50_000
"""Encoded rows kept; a full walk of a 10,000-SKU account would otherwise hold a second,
JSON copy of every row (about a third of the sandbox's memory)."""


class ListIndex:
    """Lazily built lookups over ``rows`` in list order (``newest_first`` reverses ids)."""

    def __init__(self) -> None:
        self.order: list[JSON] | None = None
        self.pos_of_id: dict[Any, int] | None = None
        self.fields: dict[str, dict[Any, list[int]] | None] = {}
        self.dates: dict[str, tuple[list[str], list[int]]] = {}
        self.results: dict[Hashable, list[JSON]] = {}
        self.encoded: dict[int, bytes] = {}

    def clear(self) -> None:
        """Forget everything (data may have changed)."""
        self.order = None
        self.pos_of_id = None
        self.fields = {}
        self.dates = {}
        self.results = {}
        self.encoded = {}

    def ordered(self, rows: dict[Any, JSON], newest_first: bool) -> list[JSON]:
        """Rows in list order."""
        if self.order is None:
            order = list(rows.values())
            if newest_first:
                order.reverse()
            self.order = order
        return self.order

    def by_ids(self, ids: Iterable[Any]) -> list[int]:
        """Positions of the given ids (unknown ids skipped)."""
        if self.pos_of_id is None:
            self.pos_of_id = {r.get("id"): i for i, r in enumerate(self.order or [])}
        pos = self.pos_of_id
        return [pos[i] for i in ids if i in pos]

    def by_field(self, name: str, wanted: Iterable[Any]) -> list[int] | None:
        """Positions whose ``name`` equals one of ``wanted``; None if not indexable."""
        if name not in self.fields:
            idx: dict[Any, list[int]] | None = {}
            for i, r in enumerate(self.order or []):
                try:
                    idx.setdefault(r.get(name), []).append(i)  # type: ignore[union-attr]
                except TypeError:
                    idx = None
                    break
            self.fields[name] = idx
        idx = self.fields[name]
        if idx is None:
            return None
        out: list[int] = []
        for w in wanted:
            try:
                out += idx.get(w, [])
            except TypeError:
                return None
        return out

    def date_range(self, col: str, lo: str | None, hi: str | None) -> list[int]:
        """Positions with ``lo <= (row[col] or "") <= hi`` (either bound optional)."""
        if col not in self.dates:
            keyed = sorted((r.get(col) or "", i) for i, r in enumerate(self.order or []))
            self.dates[col] = ([k for k, _ in keyed], [i for _, i in keyed])
        values, positions = self.dates[col]
        start = bisect_left(values, lo) if lo is not None else 0
        end = bisect_right(values, hi) if hi is not None else len(values)
        return positions[start:end] if start < end else []

    def remember(self, key: Hashable, compute: Callable[[], list[JSON]]) -> list[JSON]:
        """Cached query result for ``key`` (a bounded number are kept)."""
        hit = self.results.get(key)
        if hit is None:
            hit = compute()
            if len(self.results) >= QUERY_CACHE_SIZE:
                self.results.pop(next(iter(self.results)))
            self.results[key] = hit
        return hit

    def encode(self, rows: list[JSON]) -> bytes:
        """``{"data": rows}`` as Starlette's JSONResponse would render it, rows cached."""
        parts = []
        enc = self.encoded
        if len(enc) > ENCODED_CACHE_ROWS:
            enc.clear()
        for r in rows:
            b = enc.get(id(r))
            if b is None:
                b = enc[id(r)] = json.dumps(
                    r, ensure_ascii=False, allow_nan=False, separators=(",", ":")
                ).encode()
            parts.append(b)
        return b'{"data":[' + b",".join(parts) + b"]}"
