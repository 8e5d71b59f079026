"""Turn one page of provider rows into normalised items, skipping bad records with reasons."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from connector_katana.domain import normalise as n
from connector_katana.domain.errors import BadRecord
from connector_katana.domain.reads import accepts, parse_instant


@dataclass
class PageResult:
    """What one page yielded."""

    items: list[n.Normalised] = field(default_factory=list)
    parents: set[str] = field(default_factory=set)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    filtered_out: int = 0
    max_updated: datetime | None = None
    deleted_keys: list[str] = field(default_factory=list)
    parent_ids: dict[str, set[str]] = field(default_factory=dict)

    def seen(self, row: dict[str, Any]) -> None:
        """Track the newest ``updated_at`` (the next watermark)."""
        value = parse_instant(row.get("updated_at"))
        if value is not None and (self.max_updated is None or value > self.max_updated):
            self.max_updated = value


def normalise_page(
    read: str,
    rows: list[dict[str, Any]],
    params: dict[str, Any],
    *,
    ctx: n.Context,
    as_of: datetime,
    page: int,
    restock_orders: dict[str, Any] | None = None,
) -> PageResult:
    """Normalise the accepted rows of a page (rows outside the filters are dropped)."""
    result = PageResult()
    for row in rows:
        if not accepts(row, params):
            result.filtered_out += 1
            continue
        result.seen(row)
        try:
            _one(read, row, result, ctx, as_of, restock_orders)
        except (BadRecord, ValueError, TypeError, AttributeError) as exc:
            result.skipped.append(
                {"entity": read, "page": page, "id": str(row.get("id")), "reason": str(exc)[:300]}
            )
    return result


def _one(
    read: str,
    row: dict[str, Any],
    out: PageResult,
    ctx: n.Context,
    as_of: datetime,
    restock_orders: dict[str, Any] | None,
) -> None:
    if read in ("products", "materials"):
        items = n.skus_of_item(row)
        out.items += items
        out.parents.add(str(row["id"]))
    elif read == "variants":
        variant_id = str(n.pid(row.get("id")))
        parent = row.get("product_id") or row.get("material_id")
        if row.get("deleted_at"):
            out.deleted_keys.append(variant_id)
        elif parent is not None:
            kind = "products" if row.get("product_id") else "materials"
            out.parent_ids.setdefault(kind, set()).add(str(n.pid(parent, "parent")))
        else:
            raise BadRecord("variant has neither product_id nor material_id")
    elif read == "suppliers":
        out.items.append(n.supplier(row))
    elif read == "locations":
        out.items.append(n.location(row, ctx))
    elif read == "bom_rows":
        out.items.append(n.bom_row(row))
    elif read == "stock":
        out.items.append(n.stock_level(row, as_of))
    elif read == "movements":
        out.items.append(n.movement(row))
    elif read == "sales_orders":
        lines = n.sales_lines(row, ctx)
        out.items += lines
        out.parents.add(str(row["id"]))
    elif read == "purchase_orders":
        lines = n.purchase_order_lines(row, ctx, restock_orders)
        out.items += lines
        out.parents.add(str(row["id"]))
    else:
        raise BadRecord(f"unknown read {read}")
