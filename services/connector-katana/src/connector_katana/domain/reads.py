"""What a load job reads: the provider lists, the stream each feeds, and how it filters.

User-facing entities (``products``, ``suppliers``, ``sales_orders``, ``purchase_orders``)
expand into reads; stock, locations, BOM rows and movements come along with products.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from connector_katana.domain.values import iso


@dataclass(frozen=True)
class Read:
    """One provider list read into one stream."""

    name: str
    path: str
    stream: str
    incremental: bool = True
    include_deleted: bool = True
    history: bool = False
    parented: bool = False


READS: dict[str, Read] = {
    r.name: r
    for r in (
        Read("locations", "/locations", "locations", incremental=False),
        Read("suppliers", "/suppliers", "suppliers"),
        Read("products", "/products", "skus", parented=True),
        Read("materials", "/materials", "skus", parented=True),
        Read("variants", "/variants", "skus"),
        Read("bom_rows", "/bom_rows", "bom_rows", include_deleted=False),
        Read("stock", "/inventory", "stock_levels", incremental=False, include_deleted=False),
        Read(
            "movements",
            "/inventory_movements",
            "stock_movements",
            include_deleted=False,
            history=True,
        ),
        Read("sales_orders", "/sales_orders", "sales_lines", history=True, parented=True),
        Read(
            "purchase_orders",
            "/purchase_orders",
            "purchase_order_lines",
            history=True,
            parented=True,
        ),
    )
}

ENTITIES: dict[str, tuple[str, ...]] = {
    "products": (
        "locations",
        "products",
        "materials",
        "variants",
        "bom_rows",
        "stock",
        "movements",
    ),
    "suppliers": ("suppliers",),
    "sales_orders": ("sales_orders",),
    "purchase_orders": ("purchase_orders",),
}
"""User-facing entity -> reads."""

HISTORY_FIELD = {
    "sales_lines": "order_date",
    "purchase_order_lines": "order_date",
    "stock_movements": "movement_date",
}
"""Record field that places a snapshot record inside or outside the history window."""


def reads_for(entities: list[str], mode: str) -> list[str]:
    """The reads of a job in execution order (variants only matter for incremental)."""
    wanted: list[str] = []
    for entity in entities:
        for name in ENTITIES[entity]:
            if name == "variants" and mode == "refresh":
                continue
            if name not in wanted:
                wanted.append(name)
    return [name for name in READS if name in wanted]


def streams_of(reads: list[str]) -> list[str]:
    """Streams the reads feed, in order, without repeats."""
    out: list[str] = []
    for name in reads:
        stream = READS[name].stream
        if stream not in out:
            out.append(stream)
    return out


def query_params(
    read: Read,
    *,
    mode: str,
    watermark: datetime | None,
    pinned_max: datetime,
    overlap: timedelta,
    history_start: datetime,
) -> dict[str, Any]:
    """Filters for one read; every filter is re-checked client-side (:func:`accepts`).

    Incremental reads send ``updated_at_min = watermark - overlap`` and are pinned to
    ``updated_at_max = job start``. Full reads ask for soft-deleted rows too (explicit
    deletions) and apply the history window client-side (keys starting with ``_`` are
    never sent): lists are newest first, so paging stops at the first page that is
    entirely older than the window (:func:`past_history`).
    """
    params: dict[str, Any] = {}
    if read.path == "/inventory":
        return params
    incremental = mode == "incremental" and read.incremental and watermark is not None
    if incremental:
        assert watermark is not None
        params["updated_at_min"] = iso(watermark - overlap)
        params["updated_at_max"] = iso(pinned_max)
    elif read.history:
        params["_created_at_min"] = iso(history_start)
    if read.include_deleted:
        params["include_deleted"] = "true"
    return params
    params["updated_at_max"] = iso(pinned_max)
    incremental = mode == "incremental" and read.incremental and watermark is not None
    if incremental:
        assert watermark is not None
        params["updated_at_min"] = iso(watermark - overlap)
        if read.include_deleted:
            params["include_deleted"] = "true"
    elif read.history:
        params["created_at_min"] = iso(history_start)
    return params


def parse_instant(value: Any) -> datetime | None:
    """An ISO instant from provider or snapshot JSON, None when absent or invalid."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def accepts(row: dict[str, Any], params: dict[str, Any]) -> bool:
    """Whether a returned row satisfies the filters asked for (Katana ignores unknown ones)."""
    for name, field, lower in (
        ("updated_at_min", "updated_at", True),
        ("updated_at_max", "updated_at", False),
        ("created_at_min", "created_at", True),
    ):
        bound = params.get(name) or params.get(f"_{name}")
        if bound is None:
            continue
        value = parse_instant(row.get(field))
        limit = parse_instant(bound)
        if value is None or limit is None:
            continue
        if (value < limit) if lower else (value > limit):
            return False
    if "include_deleted" not in params and row.get("deleted_at"):
        return False
    ids = params.get("ids")
    return not (ids and str(row.get("id")) not in {str(i) for i in ids})


def sent(params: dict[str, Any]) -> dict[str, Any]:
    """The filters that go to Katana (client-side-only keys removed)."""
    return {k: v for k, v in params.items() if not k.startswith("_")}


def past_history(rows: list[dict[str, Any]], params: dict[str, Any]) -> bool:
    """Whether a (newest-first) page lies entirely before the client-side history window."""
    start = parse_instant(params.get("_created_at_min"))
    if start is None or not rows:
        return False
    created = [parse_instant(r.get("created_at")) for r in rows]
    return all(c is not None and c < start for c in created)
