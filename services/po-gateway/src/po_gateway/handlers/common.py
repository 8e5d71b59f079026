"""Helpers the use cases share: locked loads, the tenant's today, the order view."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.engine import RowMapping

from platform_kit.clock import Clock
from platform_kit.db.uow import UnitOfWork
from po_gateway.adapters import repo
from po_gateway.domain.errors import NotFound
from po_gateway.domain.states import PoStatus, allowed_actions

Precondition = Callable[[int], None]
"""Called with the locked draft's version; raises when the caller's ETag is stale."""

BeforeCommit = Callable[[dict[str, Any]], Awaitable[None]]
"""Called with the changed order just before commit (stores an idempotent response)."""


async def locked(uow: UnitOfWork, tenant_id: uuid.UUID, draft_id: uuid.UUID) -> RowMapping:
    """The draft with its row lock held until commit; NotFound otherwise."""
    row = await repo.get_draft(uow.session, tenant_id, draft_id, lock=True)
    if row is None:
        raise NotFound(f"purchase order {draft_id} not found")
    return row


async def tenant_today(uow: UnitOfWork, clock: Clock, tenant_id: uuid.UUID) -> date:
    """Today in the tenant's time zone (UTC until the tenant's zone is known)."""
    info = await repo.tenant_info(uow.session, tenant_id)
    return clock.today((info and info["time_zone"]) or "UTC")


def view(draft: RowMapping, lines: list[RowMapping]) -> dict[str, Any]:
    """An order with its lines and totals, as the API shows it."""
    out = dict(draft)
    out["allowed_actions"] = allowed_actions(
        PoStatus(draft["status"]), retryable=draft["failure_retryable"]
    )
    out["lines"] = [dict(line) for line in lines]
    total = sum((Decimal(x["quantity"]) * Decimal(x["unit_price"]) for x in lines), Decimal(0))
    out["total"] = total
    out["total_base"] = (total * Decimal(draft["fx_rate_to_base"])).quantize(Decimal("0.01"))
    return out


async def load_view(uow: UnitOfWork, tenant_id: uuid.UUID, draft_id: uuid.UUID) -> dict[str, Any]:
    """Re-read an order and its lines (after a change, inside the same transaction)."""
    draft = await repo.get_draft(uow.session, tenant_id, draft_id)
    if draft is None:
        raise NotFound(f"purchase order {draft_id} not found")
    return view(draft, await repo.lines_of(uow.session, [draft_id]))
