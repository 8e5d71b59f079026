"""HTTP client to the planner: purchase rows, read with the caller's internal token."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx

from po_gateway.domain.drafting import PlanRow
from po_gateway.domain.errors import UpstreamFailed


def _dec(value: Any, default: str = "0") -> Decimal:
    return Decimal(str(value)) if value is not None else Decimal(default)


def _row(item: dict[str, Any]) -> PlanRow:
    return PlanRow(
        variant_id=str(item["variant_id"]),
        location_id=str(item["location_id"]),
        supplier_id=item.get("supplier_id"),
        sku=item.get("sku"),
        name=item.get("name"),
        supplier_currency=item.get("supplier_currency"),
        uom=item.get("uom"),
        purchase_uom=item.get("purchase_uom"),
        purchase_uom_factor=_dec(item.get("purchase_uom_factor"), "1"),
        order_qty=_dec(item.get("order_qty")),
        order_qty_purchase_uom=_dec(item.get("order_qty_purchase_uom")),
        unit_cost=Decimal(str(item["unit_cost"])) if item.get("unit_cost") is not None else None,
        lead_time_days=_dec(item.get("lead_time_days")),
        po_status_on_create=str(item.get("po_status_on_create") or ""),
    )


async def fetch_purchase_rows(
    base_url: str,
    token: str,
    *,
    supplier_id: str | None = None,
    location_id: str | None = None,
    timeout_s: float = 30.0,
) -> tuple[int, list[PlanRow]]:
    """``(plan_version, rows)`` from ``GET /v1/plan/purchase-rows``; raises UpstreamFailed."""
    params = {k: v for k, v in (("supplier_id", supplier_id), ("location_id", location_id)) if v}
    try:
        async with httpx.AsyncClient(base_url=base_url, timeout=timeout_s) as client:
            response = await client.get(
                "/v1/plan/purchase-rows",
                params=params,
                headers={"Authorization": f"Bearer {token}"},
            )
    except httpx.HTTPError as exc:
        raise UpstreamFailed(f"planner unreachable: {exc}") from exc
    if response.status_code != 200:
        raise UpstreamFailed(f"planner answered {response.status_code}: {response.text[:300]}")
    body = response.json()
    return int(body.get("plan_version") or 0), [_row(item) for item in body.get("items", [])]
