"""Use cases of drafts: create from the plan, read, edit, add/remove lines, delete."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from platform_kit.clock import Clock
from platform_kit.db.uow import UnitOfWork
from platform_kit.http.paging import PageParams, SortKey, apply_sort, paginate
from po_gateway.adapters import repo
from po_gateway.adapters.planner_client import fetch_purchase_rows
from po_gateway.domain import numbering
from po_gateway.domain.drafting import DraftingResult, Selection, build_drafts
from po_gateway.domain.errors import InvalidTransition, NotFound, ValidationFailed
from po_gateway.domain.states import Action, PoStatus, can_delete, next_status
from po_gateway.domain.validation import header_errors, line_errors
from po_gateway.handlers.common import (
    BeforeCommit,
    Precondition,
    load_view,
    locked,
    tenant_today,
    view,
)


@dataclass(frozen=True)
class DraftRequest:
    """What to draft and with which FX rates (currency → base units per one unit)."""

    selection: Selection
    fx_rates: dict[str, Decimal] = field(default_factory=dict)
    notes: str | None = None


async def create_drafts(
    uow: UnitOfWork,
    clock: Clock,
    *,
    tenant_id: uuid.UUID,
    user_id: str,
    token: str,
    planner_url: str,
    request: DraftRequest,
    planner_timeout_s: float = 30.0,
) -> dict[str, Any]:
    """Draft one PO per supplier × location from the planner's purchase rows.

    Returns the drafts plus ``without_supplier``, ``not_in_plan`` and ``missing_fx``
    (groups left out because their currency has no rate). Does not commit.
    """
    sel = request.selection
    plan_version, rows = await fetch_purchase_rows(
        planner_url,
        token,
        supplier_id=sel.supplier_id,
        location_id=sel.location_id,
        timeout_s=planner_timeout_s,
    )
    info = await repo.tenant_info(uow.session, tenant_id)
    base = ((info and info["base_currency"]) or "").upper()
    if not base:
        raise ValidationFailed(
            [{"field": "tenant", "message": "the tenant's base currency is not known yet"}]
        )
    rates: dict[str, tuple[Decimal, str]] = {
        c: (r, "provider") for c, r in (await repo.fx_rates(uow.session, tenant_id)).items()
    }
    rates.update({c.upper(): (r, "user") for c, r in request.fx_rates.items()})
    today = await tenant_today(uow, clock, tenant_id)
    result: DraftingResult = build_drafts(
        rows, sel, base_currency=base, fx_rates=rates, today=today
    )
    now = clock.now()
    created = []
    for plan in result.drafts:
        draft_id = uuid.uuid4()
        values = {
            "draft_id": draft_id,
            "tenant_id": tenant_id,
            "status": PoStatus.DRAFT.value,
            "supplier_id": plan.supplier_id,
            "location_id": plan.location_id,
            "currency": plan.currency,
            "base_currency": base,
            "fx_rate_to_base": plan.fx_rate_to_base,
            "fx_source": plan.fx_source,
            "expected_arrival": plan.expected_arrival,
            "notes": request.notes,
            "provider_status": plan.provider_status,
            "plan_version": plan_version,
            "order_number": numbering.order_number(draft_id),
            "submission_id": numbering.submission_id(draft_id),
            "created_by": user_id,
            "created_at": now,
            "updated_by": user_id,
            "updated_at": now,
        }
        lines = [
            {
                "line_id": uuid.uuid4(),
                "tenant_id": tenant_id,
                "draft_id": draft_id,
                "position": i,
                "variant_id": line.variant_id,
                "sku": line.sku,
                "name": line.name,
                "uom": line.uom,
                "purchase_uom": line.purchase_uom,
                "purchase_uom_factor": line.purchase_uom_factor,
                "quantity": line.quantity,
                "suggested_quantity": line.quantity,
                "unit_price": line.unit_price,
                "unit_cost_base": line.unit_cost_base,
                "lead_time_days": line.lead_time_days,
                "plan_version": plan_version,
            }
            for i, line in enumerate(plan.lines)
        ]
        await repo.insert_draft(uow.session, values, lines)
        await repo.audit(
            uow.session,
            tenant_id,
            draft_id,
            "created",
            user_id,
            now,
            {"plan_version": plan_version, "lines": len(lines)},
        )
        created.append(await load_view(uow, tenant_id, draft_id))
    return {
        "plan_version": plan_version,
        "drafts": created,
        "without_supplier": result.without_supplier,
        "not_in_plan": result.not_in_plan,
        "missing_fx": result.missing_fx,
    }


async def get_order(uow: UnitOfWork, tenant_id: uuid.UUID, draft_id: uuid.UUID) -> dict[str, Any]:
    """One order with lines, totals and attempts."""
    out = await load_view(uow, tenant_id, draft_id)
    out["attempts"] = [dict(a) for a in await repo.attempts_of(uow.session, draft_id)]
    return out


async def list_orders(
    uow: UnitOfWork,
    tenant_id: uuid.UUID,
    params: PageParams,
    sort: list[SortKey],
    **filters: Any,
) -> tuple[list[dict[str, Any]], int]:
    """A page of orders (with their lines) and the total count."""
    stmt = apply_sort(repo.list_stmt(tenant_id, **filters), sort, repo.SORT_COLUMNS)
    stmt = stmt.order_by(repo.SORT_COLUMNS["created_at"], repo.po_draft.c.draft_id)
    rows, total = await paginate(uow.session, stmt, params)
    drafts = [r._mapping for r in rows]
    lines = await repo.lines_of(uow.session, [d["draft_id"] for d in drafts])
    by_draft: dict[uuid.UUID, list[Any]] = {}
    for line in lines:
        by_draft.setdefault(line["draft_id"], []).append(line)
    return [view(d, by_draft.get(d["draft_id"], [])) for d in drafts], total


async def audit_trail(
    uow: UnitOfWork, tenant_id: uuid.UUID, draft_id: uuid.UUID
) -> list[dict[str, Any]]:
    """Who created, edited, approved and sent the order, and when (kept after deletion)."""
    rows = await repo.audit_of(uow.session, tenant_id, draft_id)
    if not rows:
        raise NotFound(f"purchase order {draft_id} not found")
    return [dict(r) for r in rows]


async def _editable(
    uow: UnitOfWork, tenant_id: uuid.UUID, draft_id: uuid.UUID, check: Precondition
) -> Any:
    draft = await locked(uow, tenant_id, draft_id)
    check(draft["version"])
    next_status(PoStatus(draft["status"]), Action.EDIT)
    return draft


async def _touch(
    uow: UnitOfWork,
    clock: Clock,
    tenant_id: uuid.UUID,
    draft_id: uuid.UUID,
    user_id: str,
    action: str,
    details: dict[str, Any],
    values: dict[str, Any] | None = None,
    before_commit: BeforeCommit | None = None,
) -> dict[str, Any]:
    now = clock.now()
    await repo.update_draft(
        uow.session, draft_id, {**(values or {}), "updated_by": user_id, "updated_at": now}
    )
    await repo.audit(uow.session, tenant_id, draft_id, action, user_id, now, details)
    out = await load_view(uow, tenant_id, draft_id)
    if before_commit is not None:
        await before_commit(out)
    await uow.commit()
    return out


def _jsonable(changes: dict[str, Any]) -> dict[str, Any]:
    return {k: (str(v) if v is not None else None) for k, v in changes.items()}


async def edit_header(
    uow: UnitOfWork,
    clock: Clock,
    tenant_id: uuid.UUID,
    user_id: str,
    draft_id: uuid.UUID,
    changes: dict[str, Any],
    check: Precondition,
) -> dict[str, Any]:
    """Change arrival date, notes or FX rate of a draft (If-Match via ``check``)."""
    await _editable(uow, tenant_id, draft_id, check)
    errors = header_errors(changes, await tenant_today(uow, clock, tenant_id))
    if errors:
        raise ValidationFailed(errors)
    values = dict(changes)
    if "fx_rate_to_base" in values:
        values["fx_source"] = "user"
    return await _touch(
        uow, clock, tenant_id, draft_id, user_id, "edited", _jsonable(changes), values
    )


async def edit_line(
    uow: UnitOfWork,
    clock: Clock,
    tenant_id: uuid.UUID,
    user_id: str,
    draft_id: uuid.UUID,
    line_id: uuid.UUID,
    changes: dict[str, Any],
    check: Precondition,
) -> dict[str, Any]:
    """Change a line's quantity or unit price."""
    await _editable(uow, tenant_id, draft_id, check)
    errors = line_errors(changes)
    if errors:
        raise ValidationFailed(errors)
    if changes and not await repo.update_line(uow.session, draft_id, line_id, changes):
        raise NotFound(f"line {line_id} not found")
    details = {"line_id": str(line_id), **_jsonable(changes)}
    return await _touch(uow, clock, tenant_id, draft_id, user_id, "line_edited", details)


async def add_line(
    uow: UnitOfWork,
    clock: Clock,
    tenant_id: uuid.UUID,
    user_id: str,
    draft_id: uuid.UUID,
    line: dict[str, Any],
    check: Precondition,
    before_commit: BeforeCommit | None = None,
) -> dict[str, Any]:
    """Add a line (a variant not yet on the draft)."""
    await _editable(uow, tenant_id, draft_id, check)
    errors = line_errors(line)
    if errors:
        raise ValidationFailed(errors)
    values = {
        **line,
        "line_id": uuid.uuid4(),
        "tenant_id": tenant_id,
        "draft_id": draft_id,
        "position": await repo.next_position(uow.session, draft_id),
        "plan_version": None,
    }
    values.setdefault("purchase_uom_factor", Decimal(1))
    if not await repo.insert_line(uow.session, values):
        raise ValidationFailed(
            [{"field": "variant_id", "message": f"{line['variant_id']} is already on this order"}]
        )
    details = {"line_id": str(values["line_id"]), "variant_id": line["variant_id"]}
    return await _touch(
        uow, clock, tenant_id, draft_id, user_id, "line_added", details, before_commit=before_commit
    )


async def remove_line(
    uow: UnitOfWork,
    clock: Clock,
    tenant_id: uuid.UUID,
    user_id: str,
    draft_id: uuid.UUID,
    line_id: uuid.UUID,
    check: Precondition,
) -> dict[str, Any]:
    """Remove a line from a draft."""
    await _editable(uow, tenant_id, draft_id, check)
    if not await repo.delete_line(uow.session, draft_id, line_id):
        raise NotFound(f"line {line_id} not found")
    details = {"line_id": str(line_id)}
    return await _touch(uow, clock, tenant_id, draft_id, user_id, "line_removed", details)


async def delete_order(
    uow: UnitOfWork,
    clock: Clock,
    tenant_id: uuid.UUID,
    user_id: str,
    draft_id: uuid.UUID,
    check: Precondition,
) -> None:
    """Delete a draft or approved order (never one that reached a provider).

    The audit rows stay, with a ``deleted`` entry, so the history is kept.
    """
    draft = await locked(uow, tenant_id, draft_id)
    check(draft["version"])
    status = PoStatus(draft["status"])
    if not can_delete(status):
        raise InvalidTransition(status, Action.DELETE, "only drafts and approved orders")
    await repo.delete_draft(uow.session, draft_id)
    await repo.audit(
        uow.session,
        tenant_id,
        draft_id,
        "deleted",
        user_id,
        clock.now(),
        {"order_number": draft["order_number"], "supplier_id": draft["supplier_id"]},
    )
    await uow.commit()
