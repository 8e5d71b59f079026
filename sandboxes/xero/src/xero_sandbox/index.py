"""Per-organisation list indexes that keep big list GETs fast without changing answers.

An ``Org`` holds one ``CollectionIndex`` per collection, built lazily and dropped by
``Org.touch()`` (``Org.add`` and every non-GET HTTP request call it; code that edits records
in place outside a request must call it too). An index keeps the records in every ``order``
asked for (sorted once, stably, so filtering the sorted list equals sorting the filtered
list), buckets and sorted keys for the simple terms of ``where`` expressions (``Type==``,
``Status==``, ``Date>=``...), the records sorted by ``UpdatedDateUTC`` for
``If-Modified-Since``, the answers of recent queries (so paging through one query filters
once) and the rendered JSON of recently listed records.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Hashable
from datetime import datetime
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from xero_sandbox.query import (
    Predicate,
    QueryError,
    lookup,
    normalise,
    simple_conjuncts,
    sort_records,
)
from xero_sandbox.store import Org, Record

_RESULTS = 32
_PLAIN = (str, bool, int, float, datetime, dict, list, type(None))
Key = tuple[Any, ...]


def _norm_value(record: Record, field: str) -> Any:
    return normalise(lookup(record, [field]))


class CollectionIndex:
    """Indexes over one collection of one organisation, valid for one ``signature``."""

    def __init__(self, signature: Key, records: dict[str, Record]) -> None:
        self.signature = signature
        self.rows = list(records.values())
        self.by_id = {id(r): r for r in self.rows}
        self._ordered: dict[str, list[Record] | None] = {}
        self._positions: dict[str, dict[int, int]] = {}
        self._buckets: dict[str, dict[Any, set[int]] | None] = {}
        self._ranges: dict[tuple[str, str], tuple[list[Any], list[int]] | None] = {}
        self._updated: tuple[list[datetime], list[int]] | bool | None = False
        self.results: OrderedDict[Key, list[Record]] = OrderedDict()

    def ordered(self, order: str | None) -> list[Record] | None:
        """All records in ``order`` (insertion order when None); None if they can't be sorted.

        Raises ``QueryError`` for a malformed ``order``, as ``sort_records`` does.
        """
        key = (order or "").strip()
        if not key:
            return self.rows
        if key not in self._ordered:
            sort_records([], key)  # validates the clauses
            try:
                self._ordered[key] = sort_records(self.rows, key)
            except QueryError:
                self._ordered[key] = None  # mixed types: let the plain path decide
        return self._ordered[key]

    def position(self, order: str | None, rows: list[Record]) -> dict[int, int]:
        """Record id -> place in ``rows`` (the list ``ordered(order)`` returned)."""
        key = (order or "").strip()
        if key not in self._positions:
            self._positions[key] = {id(r): i for i, r in enumerate(rows)}
        return self._positions[key]

    def newer_than(self, instant: datetime) -> set[int] | None:
        """Ids of records with ``UpdatedDateUTC > instant`` (None when not indexable)."""
        if self._updated is False:
            try:
                pairs = sorted(((r["UpdatedDateUTC"], id(r)) for r in self.rows), key=_first)
                self._updated = ([p[0] for p in pairs], [p[1] for p in pairs])
            except (KeyError, TypeError):
                self._updated = None
        if not isinstance(self._updated, tuple):
            return None
        keys, ids = self._updated
        try:
            return set(ids[bisect_right(keys, instant) :])
        except TypeError:
            return None

    def _bucket(self, field: str) -> dict[Any, set[int]] | None:
        name = field.casefold()
        if name not in self._buckets:
            buckets: dict[Any, set[int]] | None = {}
            for r in self.rows:
                value = _norm_value(r, field)
                if isinstance(value, Hashable) and buckets is not None:
                    buckets.setdefault(value, set()).add(id(r))
            self._buckets[name] = buckets
        return self._buckets[name]

    def _range(self, field: str, kind: str) -> tuple[list[Any], list[int]] | None:
        slot = (field.casefold(), kind)
        if slot not in self._ranges:
            pairs: list[tuple[Any, int]] = []
            usable = True
            wanted = datetime if kind == "datetime" else (int, float)
            for r in self.rows:
                value = _norm_value(r, field)
                if not isinstance(value, _PLAIN):
                    usable = False
                    break
                if isinstance(value, wanted) and value == value:  # NaN never matches
                    pairs.append((value, id(r)))
            pairs.sort(key=_first)
            self._ranges[slot] = ([p[0] for p in pairs], [p[1] for p in pairs]) if usable else None
        return self._ranges[slot]

    def matching(self, field: str, op: str, literal: Any) -> set[int] | None:
        """Ids that can satisfy ``field op literal`` (a superset), or None if unknown."""
        if op == "==" and isinstance(literal, Hashable):
            buckets = self._bucket(field)
            return None if buckets is None else set(buckets.get(literal, ()))
        if op not in (">", ">=", "<", "<=") or isinstance(literal, bool):
            return None
        if isinstance(literal, datetime):
            found = self._range(field, "datetime")
        elif isinstance(literal, int | float) and not math.isnan(literal):
            found = self._range(field, "number")
        else:
            return None
        if found is None:
            return None
        keys, ids = found
        if op == ">":
            return set(ids[bisect_right(keys, literal) :])
        if op == ">=":
            return set(ids[bisect_left(keys, literal) :])
        if op == "<":
            return set(ids[: bisect_left(keys, literal)])
        return set(ids[: bisect_right(keys, literal)])


def _first(pair: tuple[Any, int]) -> Any:
    return pair[0]


def warm(org: Org, order: str = "UpdatedDateUTC ASC") -> None:
    """Build every collection's most used ordering up front (after seeding)."""
    for collection in org.collections:
        index_of(org, collection).ordered(order)


def index_of(org: Org, collection: str) -> CollectionIndex:
    """The current index of a collection (rebuilt when the organisation changed)."""
    records = org.collections[collection]
    signature = (org.version, id(records), len(records))
    index: CollectionIndex | None = org.indexes.get(collection)
    if index is None or index.signature != signature:
        index = CollectionIndex(signature, records)
        org.indexes[collection] = index
    return index


def indexed_select(
    index: CollectionIndex,
    key: Key,
    instant: datetime | None,
    where: str | None,
    filters: list[Predicate],
    order: str | None,
) -> list[Record] | None:
    """What ``select`` answers, via the index; None when the plain path must decide.

    ``filters`` already holds the compiled ``where`` predicate (first) and the route's own
    filters; prefilters only narrow the candidates they run on.
    """
    cached = index.results.get(key)
    if cached is not None:
        index.results.move_to_end(key)
        return cached
    base = index.ordered(order)
    if base is None:
        return None
    narrowed: list[set[int]] = []
    if instant is not None:
        newer = index.newer_than(instant)
        if newer is None:
            return None
        narrowed.append(newer)
    for field, op, literal in simple_conjuncts(where) if where and where.strip() else []:
        ids = index.matching(field, op, literal)
        if ids is not None:
            narrowed.append(ids)
    candidates = base
    if narrowed:
        narrowed.sort(key=len)
        wanted = narrowed[0].intersection(*narrowed[1:])
        if len(wanted) * 8 < len(base):
            place = index.position(order, base)
            candidates = sorted((index.by_id[i] for i in wanted), key=lambda r: place[id(r)])
        else:
            candidates = [r for r in base if id(r) in wanted]
    found = [r for r in candidates if all(f(r) for f in filters)]
    index.results[key] = found
    if len(index.results) > _RESULTS:
        index.results.popitem(last=False)
    return found


class CacheGuard:
    """ASGI middleware: any request that may write (not GET/HEAD/OPTIONS) drops the indexes."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Touch every organisation before and after a writing request."""
        if scope["type"] != "http" or scope.get("method") in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        orgs: dict[str, Org] = scope["app"].state.sandbox.orgs
        for org in orgs.values():
            org.touch()
        try:
            await self.app(scope, receive, send)
        finally:
            for org in orgs.values():
                org.touch()
