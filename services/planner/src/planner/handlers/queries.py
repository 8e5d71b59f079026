"""Read side: the order plan page, CSV, one row, the dashboard, effective settings and
the purchase rows po-gateway drafts from."""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any

from planner.adapters import plans
from planner.adapters.orm import plan_row as plan_table
from planner.adapters.plan_page import page_json
from planner.adapters.plans import SORT_COLUMNS, PlanFilter, filtered, with_details
from planner.domain.csv_io import neutralise
from planner.domain.errors import NotFound
from platform_kit.db.uow import UnitOfWork
from platform_kit.http.paging import PageParams, SortKey, apply_sort

CSV_COLUMNS = (
    "variant_id",
    "sku",
    "name",
    "category",
    "location_id",
    "supplier_id",
    "supplier_name",
    "status",
    "status_text",
    "action",
    "on_hand",
    "committed",
    "on_order",
    "net_position",
    "lead_time_days",
    "review_period_days",
    "service_level",
    "safety_stock",
    "reorder_point",
    "order_up_to",
    "eoq",
    "order_qty",
    "purchase_uom",
    "order_qty_purchase_uom",
    "days_until_stockout",
    "latest_order_date",
    "excess_units",
    "excess_value",
    "shortage_units",
    "shortage_cost",
    "inventory_value",
    "explanation",
)
MAX_CSV_ROWS = 200_000


async def plan_page(
    uow: UnitOfWork, tenant_id: uuid.UUID, f: PlanFilter, sort: list[SortKey], page: PageParams
) -> tuple[str, dict[str, Any]]:
    """One filtered, sorted page: (items as a JSON array of list rows, the page fields)."""
    res = await page_json(uow.session, tenant_id, f, sort, page)
    return res.items_json, {
        "page": page.page,
        "page_size": page.page_size,
        "total": res.total,
        "total_pages": (res.total + page.page_size - 1) // page.page_size,
        "plan_version": res.plan_version,
        "as_of": res.as_of,
        "computed_at": res.computed_at,
    }


async def plan_csv(
    uow: UnitOfWork, tenant_id: uuid.UUID, f: PlanFilter, sort: list[SortKey]
) -> str:
    """The filtered plan as CSV, formula-like cells neutralised."""
    stmt = apply_sort(
        with_details(filtered(tenant_id, f)),
        [*sort, SortKey("variant_id", False), SortKey("location_id", False)],
        SORT_COLUMNS,
    )
    rows = (await uow.session.execute(stmt.limit(MAX_CSV_ROWS))).all()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        m = r._mapping
        writer.writerow([neutralise("" if m[c] is None else str(m[c])) for c in CSV_COLUMNS])
    return out.getvalue()


async def plan_row(
    uow: UnitOfWork, tenant_id: uuid.UUID, variant_id: str, location_id: str
) -> dict[str, Any]:
    row = await plans.one_row(uow.session, tenant_id, variant_id, location_id)
    if row is None:
        raise NotFound(f"no plan row for {variant_id} at {location_id}")
    return dict(row._mapping)


async def dashboard(uow: UnitOfWork, tenant_id: uuid.UUID, top: int = 10) -> dict[str, Any]:
    """Dashboard figures of the current plan version."""
    data = await plans.dashboard(uow.session, tenant_id, top)
    meta = await plans.plan_meta(uow.session, tenant_id)
    a = data["agg"]
    return {
        "plan_version": meta.plan_version if meta else 0,
        "as_of": meta.as_of if meta else None,
        "sku_locations": a[0],
        "understocked_count": a[1],
        "overstocked_count": a[2],
        "discontinued_count": a[10],
        "understocked_expected_lost_sales_value": float(a[3]),
        "understocked_expected_shortage_units": float(a[4]),
        "suggested_purchase_value": float(a[5]),
        "overstocked_excess_value": float(a[6]),
        "overstocked_excess_units": float(a[7]),
        "capital_that_could_be_freed": float(a[6]),
        "inventory_value": float(a[8]),
        "projected_service_level": None if a[9] is None else float(a[9]),
        "rows_without_cost": a[11],
        "most_urgent": data["urgent"],
    }


async def effective_settings(
    uow: UnitOfWork, tenant_id: uuid.UUID, variant_id: str, location_id: str
) -> dict[str, Any]:
    """Settings in effect for one SKU × location with sources and learned values."""
    row = await plan_row(uow, tenant_id, variant_id, location_id)
    return {
        "variant_id": variant_id,
        "location_id": location_id,
        "plan_version": row["plan_version"],
        "settings": row["settings"],
    }


async def purchase_rows(
    uow: UnitOfWork, tenant_id: uuid.UUID, supplier_id: str | None, location_id: str | None
) -> tuple[list[dict[str, Any]], Any]:
    """Rows suggesting a purchase (not make rows), for drafting POs; stable shape."""
    f = PlanFilter(supplier_id=supplier_id, location_id=location_id, action="buy")
    stmt = apply_sort(
        filtered(tenant_id, f),
        [
            SortKey("supplier_id", False),
            SortKey("location_id", False),
            SortKey("variant_id", False),
        ],
        {**SORT_COLUMNS, "supplier_id": plan_table.c.supplier_id},
    )
    rows = (await uow.session.execute(stmt)).all()
    meta = await plans.plan_meta(uow.session, tenant_id)
    return [dict(r._mapping) for r in rows], meta
