"""Ingest use cases: mirror provider and forecast events into tables, flag a re-plan.

Refresh-mode deletions are held by the kit's :class:`SyncTracker` until the stream's
completion marker shows every batch arrived; incremental and webhook deletions apply at
once. Every applied change marks the tenant dirty with the matching plan trigger.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from planner.adapters import inputs, state
from planner.adapters.orm import metadata
from planner.adapters.reader import MEAN_DTYPE, pack
from platform_kit.db.uow import UnitOfWork
from platform_kit.messaging.sync import SyncTracker
from platform_kit.tenancy import upsert_tenant

TRACKER = SyncTracker("planner")
TRIGGERS = {
    "skus": "catalog",
    "suppliers": "catalog",
    "locations": "catalog",
    "bom_rows": "catalog",
    "stock_levels": "stock",
    "purchase_order_lines": "purchase_orders",
}


def _sku(r: Any) -> dict[str, Any]:
    return {
        "variant_id": r.variant_id,
        "product_id": r.product_id,
        "sku": r.sku,
        "name": r.name,
        "category": r.category,
        "uom": r.uom,
        "purchase_uom": r.purchase_uom,
        "purchase_uom_factor": r.purchase_uom_conversion_rate or 1,
        "is_purchased": r.is_purchased,
        "is_manufactured": r.is_manufactured,
        "is_sold": r.is_sold,
        "cost": r.cost,
        "price": r.price,
        "default_supplier_id": r.default_supplier_id,
        "lead_time_days": r.lead_time_days,
        "moq": r.moq,
        "discontinued": r.discontinued,
        "deleted": False,
        "updated_at": r.updated_at,
    }


def _supplier(r: Any) -> dict[str, Any]:
    return {
        "supplier_id": r.supplier_id,
        "name": r.name,
        "currency": r.currency,
        "lead_time_days": r.lead_time_days,
        "archived": r.archived,
        "deleted": False,
        "updated_at": r.updated_at,
    }


def _location(r: Any) -> dict[str, Any]:
    return {
        "location_id": r.location_id,
        "name": r.name,
        "is_sales_only": r.is_sales_only,
        "purchasing_location_id": r.purchasing_location_id,
        "is_primary": r.is_primary,
        "deleted": False,
        "updated_at": r.updated_at,
    }


def _bom(r: Any) -> dict[str, Any]:
    return {
        "bom_row_id": r.bom_row_id,
        "parent_variant_id": r.parent_variant_id,
        "component_variant_id": r.component_variant_id,
        "quantity_per": r.quantity_per,
        "deleted": False,
        "updated_at": r.updated_at,
    }


def _stock(r: Any) -> dict[str, Any]:
    return {
        "variant_id": r.variant_id,
        "location_id": r.location_id,
        "on_hand": r.on_hand,
        "committed": r.committed,
        "expected": r.expected,
        "average_cost": r.average_cost,
        "deleted": False,
        "as_of": r.as_of,
    }


def _po(r: Any) -> dict[str, Any]:
    return {
        "po_id": r.po_id,
        "line_id": r.line_id,
        "supplier_id": r.supplier_id,
        "location_id": r.location_id,
        "variant_id": r.variant_id,
        "quantity_ordered": r.quantity_ordered,
        "quantity_remaining": r.quantity_remaining,
        "order_date": r.order_date,
        "received_date": r.received_date,
        "status": r.status,
        "raw_status": r.raw_status,
        "created_by_restock": r.created_by_restock,
        "deleted": False,
        "updated_at": r.updated_at,
    }


async def _purged(uow: UnitOfWork, tenant_id: uuid.UUID) -> bool:
    """True for a deleted tenant (tombstone): late events must not resurrect its data.

    Events of a tenant not provisioned yet are kept: topics are consumed independently,
    so catalog or stock may arrive before ``tenant_created``.
    """
    tenant = metadata.tables["tenant"]
    status = (
        await uow.session.execute(select(tenant.c.status).where(tenant.c.tenant_id == tenant_id))
    ).scalar_one_or_none()
    return status == "deleted"


MAPPERS = {
    "skus": _sku,
    "suppliers": _supplier,
    "locations": _location,
    "bom_rows": _bom,
    "stock_levels": _stock,
    "purchase_order_lines": _po,
}


async def apply_records(uow: UnitOfWork, stream: str, tenant_id: uuid.UUID, payload: Any) -> None:
    """Upsert a provider batch; deletions now, or staged until a refresh completes."""
    if await _purged(uow, tenant_id):
        return
    session = uow.session
    rows = [MAPPERS[stream](r) for r in payload.records]
    live = [row for row, r in zip(rows, payload.records, strict=True) if not r.deleted]
    gone = [row for row, r in zip(rows, payload.records, strict=True) if r.deleted]
    await inputs.upsert_newer(session, stream, tenant_id, live)
    if payload.sync_id is not None:
        await TRACKER.record_batch(
            uow,
            tenant_id=tenant_id,
            sync_id=payload.sync_id,
            stream=stream,
            mode=payload.mode,
            batch_seq=payload.batch_seq,
        )
    if gone and payload.mode == "refresh" and payload.sync_id is not None:
        staged = [(inputs.record_key(stream, g), _jsonable(g)) for g in gone]
        await TRACKER.stage_deletions(
            uow, tenant_id=tenant_id, sync_id=payload.sync_id, stream=stream, records=staged
        )
    elif gone:
        await inputs.upsert_newer(session, stream, tenant_id, gone)
        await inputs.mark_deleted(session, stream, tenant_id, gone)
    await state.mark_dirty(session, tenant_id, TRIGGERS[stream])


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    return {k: str(v) for k, v in row.items() if k.endswith("_id")}


async def complete_stream(uow: UnitOfWork, tenant_id: uuid.UUID, payload: Any) -> None:
    """A stream's completion marker: release staged deletions if no batch is missing."""
    if payload.stream not in MAPPERS:
        return
    done = await TRACKER.complete(
        uow,
        tenant_id=tenant_id,
        sync_id=payload.sync_id,
        stream=payload.stream,
        mode=payload.mode,
        batch_count=payload.batch_count,
    )
    if done.deletions:
        await inputs.mark_deleted(uow.session, payload.stream, tenant_id, done.deletions)
        await state.mark_dirty(uow.session, tenant_id, TRIGGERS[payload.stream])


async def apply_forecasts(uow: UnitOfWork, tenant_id: uuid.UUID, payload: Any) -> None:
    """Store the newest forecast contract per SKU × location."""
    if await _purged(uow, tenant_id):
        return
    rows = [
        {
            "variant_id": f.variant_id,
            "location_id": f.location_id,
            "forecast_run_id": f.forecast_run_id,
            "as_of": f.as_of,
            "mean_daily": pack(f.mean_daily, MEAN_DTYPE),
            "horizons": pack(f.quantile_horizons_days),
            "levels": pack(f.quantile_levels),
            "quantiles": pack(f.cumulative_quantiles),
            "demand_class": f.demand_class,
            "model": f.model[:64],
        }
        for f in payload.forecasts
    ]
    await inputs.upsert_forecasts(uow.session, tenant_id, rows)
    await state.mark_dirty(uow.session, tenant_id, "forecast")


async def apply_submission_request(uow: UnitOfWork, tenant_id: uuid.UUID, payload: Any) -> None:
    """Remember the lines of a PO being sent (stock units = quantity × conversion)."""
    lines = [
        {
            "line_id": ln.line_id,
            "variant_id": ln.variant_id,
            "location_id": payload.location_id,
            "quantity_stock": ln.quantity * ln.purchase_uom_conversion_rate,
        }
        for ln in payload.lines
    ]
    await inputs.record_submission_request(
        uow.session,
        tenant_id,
        payload.submission_id,
        payload.supplier_id,
        payload.location_id,
        lines,
    )
    await state.mark_dirty(uow.session, tenant_id, "po_submitted")


async def apply_submitted(uow: UnitOfWork, tenant_id: uuid.UUID, payload: Any) -> None:
    """The connector created the PO: it counts as on order at once, by provider id."""
    await inputs.record_submitted(
        uow.session, tenant_id, payload.submission_id, payload.provider_po_id, payload.created_at
    )
    await state.mark_dirty(uow.session, tenant_id, "po_submitted")


async def apply_tenant(uow: UnitOfWork, tenant_id: uuid.UUID, payload: Any) -> None:
    """Provision or refresh the tenant, then plan it (and publish its effective settings)."""
    if await upsert_tenant(uow, payload):
        await state.mark_dirty(uow.session, tenant_id, "catalog")


async def request_replan(uow: UnitOfWork, tenant_id: uuid.UUID) -> None:
    """A user asked for a re-plan (no re-forecast)."""
    await state.mark_dirty(uow.session, tenant_id, "manual")
    await uow.commit()
