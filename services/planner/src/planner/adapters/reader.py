"""Reads one tenant's inputs into a :class:`~planner.domain.snapshot.Snapshot`."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from planner.adapters.orm import (
    bom_row,
    forecast,
    location,
    po_line,
    po_submission,
    po_submission_line,
    setting_value,
    sku,
    stock_level,
    supplier,
)
from planner.domain.positions import PoLine, SubmittedLine, on_order
from planner.domain.snapshot import Forecast, Location, Receipt, Sku, Snapshot, Supplier

MEAN_DTYPE = np.float32


def pack(values: Any, dtype: Any = np.float64) -> bytes:
    """Array → bytes for the forecast table."""
    return np.ascontiguousarray(values, dtype=dtype).tobytes()


def _f(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


async def tenant_info(session: AsyncSession, tenant_id: uuid.UUID) -> tuple[str, str | None]:
    """(time zone, primary source) of the tenant (UTC when unknown)."""
    from planner.adapters.orm import metadata

    tenant = metadata.tables["tenant"]
    row = (
        await session.execute(
            select(tenant.c.time_zone, tenant.c.primary_source).where(
                tenant.c.tenant_id == tenant_id
            )
        )
    ).one_or_none()
    return ((row[0] or "UTC"), row[1]) if row else ("UTC", None)


async def load_snapshot(
    session: AsyncSession, tenant_id: uuid.UUID, today: date, primary_source: str | None
) -> Snapshot:
    """Everything the re-plan needs, read in a handful of set-based queries."""
    t = tenant_id
    skus = {
        r.variant_id: Sku(
            variant_id=r.variant_id,
            name=r.name,
            sku=r.sku,
            category=r.category,
            uom=r.uom,
            purchase_uom=r.purchase_uom,
            purchase_uom_factor=float(r.purchase_uom_factor),
            is_manufactured=r.is_manufactured,
            cost=_f(r.cost),
            price=_f(r.price),
            default_supplier_id=r.default_supplier_id,
            lead_time_days=_f(r.lead_time_days),
            moq=_f(r.moq),
            discontinued=r.discontinued,
        )
        for r in await session.execute(select(sku).where(sku.c.tenant_id == t, ~sku.c.deleted))
    }
    suppliers = {
        r.supplier_id: Supplier(r.supplier_id, r.name, r.currency, _f(r.lead_time_days))
        for r in await session.execute(
            select(supplier).where(supplier.c.tenant_id == t, ~supplier.c.deleted)
        )
    }
    locations = {
        r.location_id: Location(r.location_id, r.is_sales_only, r.purchasing_location_id)
        for r in await session.execute(
            select(location).where(location.c.tenant_id == t, ~location.c.deleted)
        )
    }
    bom = [
        (r.parent_variant_id, r.component_variant_id, float(r.quantity_per))
        for r in await session.execute(
            select(bom_row).where(bom_row.c.tenant_id == t, ~bom_row.c.deleted)
        )
    ]
    stock = {
        (r.variant_id, r.location_id): (float(r.on_hand), float(r.committed))
        for r in await session.execute(
            select(
                stock_level.c.variant_id,
                stock_level.c.location_id,
                stock_level.c.on_hand,
                stock_level.c.committed,
            ).where(stock_level.c.tenant_id == t, ~stock_level.c.deleted)
        )
    }
    lines, receipts = [], []
    latest: dict[str, tuple[Any, Any, str]] = {}
    for r in await session.execute(select(po_line).where(po_line.c.tenant_id == t)):
        if r.supplier_id and not r.deleted:
            seen = (r.order_date, r.updated_at or r.order_date, r.supplier_id)
            if r.variant_id not in latest or seen > latest[r.variant_id]:
                latest[r.variant_id] = seen
        lines.append(
            PoLine(
                r.po_id,
                r.variant_id,
                r.location_id,
                r.quantity_remaining,
                r.status,
                r.created_by_restock,
                r.deleted,
            )
        )
        if r.received_date is not None and not r.deleted and r.quantity_remaining == 0:
            receipts.append(
                Receipt(r.variant_id, r.supplier_id, r.order_date.date(), r.received_date.date())
            )
    submitted = [
        SubmittedLine(r.provider_po_id, r.variant_id, r.location_id, r.quantity_stock)
        for r in await session.execute(
            select(
                po_submission.c.provider_po_id,
                po_submission_line.c.variant_id,
                po_submission_line.c.location_id,
                po_submission_line.c.quantity_stock,
            )
            .join(
                po_submission_line,
                (po_submission_line.c.tenant_id == po_submission.c.tenant_id)
                & (po_submission_line.c.submission_id == po_submission.c.submission_id),
            )
            .where(po_submission.c.tenant_id == t, po_submission.c.provider_po_id.is_not(None))
        )
    ]
    forecasts = {
        (r.variant_id, r.location_id): Forecast(
            as_of=r.as_of,
            mean_daily=np.frombuffer(r.mean_daily, dtype=MEAN_DTYPE).astype(np.float64),
            horizons=np.frombuffer(r.horizons, dtype=np.float64),
            levels=np.frombuffer(r.levels, dtype=np.float64),
            quantiles=np.frombuffer(r.quantiles, dtype=np.float64).reshape(
                len(r.horizons) // 8, len(r.levels) // 8
            ),
            demand_class=r.demand_class,
        )
        for r in await session.execute(select(forecast).where(forecast.c.tenant_id == t))
    }
    snap = Snapshot(
        today=today,
        primary_source=primary_source,
        skus=skus,
        suppliers=suppliers,
        locations=locations,
        bom=bom,
        stock=stock,
        on_order=on_order(lines, submitted),
        forecasts=forecasts,
        receipts=receipts,
        last_po_supplier={variant: seen[2] for variant, seen in latest.items()},
    )
    for r in await session.execute(select(setting_value).where(setting_value.c.tenant_id == t)):
        if r.scope == "global":
            snap.global_settings = dict(r.values)
        elif r.scope == "supplier":
            snap.supplier_settings[r.scope_id] = dict(r.values)
        else:
            snap.product_settings[(r.scope_id, r.location_id)] = dict(r.values)
    return snap
