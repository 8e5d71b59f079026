"""Orders stuck in ``sending``: re-request the same submission, then give up as failed.

A connector normally always answers. When no result came within the timeout after the
latest attempt (a connector that lost its state, ignored the request or was down longer
than its own retries), the sweep publishes the next attempt of the *same* submission:
same submission id and order number, so the connector looks the number up before
creating and a PO an earlier attempt made is found, never made twice. After
``max_requests`` unanswered re-requests in a row the order fails as ``no_answer``
(retryable), so the user can retry it, again with the same submission.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, select
from sqlalchemy.engine import RowMapping

from platform_kit.clock import Clock
from platform_kit.db.uow import UnitOfWork
from po_gateway.adapters import repo
from po_gateway.adapters.orm import po_attempt, po_draft
from po_gateway.domain.errors import NoConnection
from po_gateway.domain.states import Action, PoStatus, next_status
from po_gateway.handlers.common import locked
from po_gateway.handlers.sending import latency_s, request_attempt

SWEEP_ACTOR = "po-gateway-sweep"


@dataclass(frozen=True)
class Swept:
    """What the sweep did to one order: ``re_requested`` or ``failed`` (with the latency
    from the user's send to this failure)."""

    action: str
    source: str
    attempt: int
    latency_s: float | None = None


async def stuck(
    uow: UnitOfWork, clock: Clock, timeout_s: float, limit: int = 100
) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """(tenant, draft) of orders sending for longer than ``timeout_s`` since their latest
    attempt, oldest first (all tenants: the sweep is the system's, each order is then
    handled under its own tenant)."""
    cutoff = clock.now() - timedelta(seconds=timeout_s)
    stmt = (
        select(po_draft.c.tenant_id, po_draft.c.draft_id)
        .join(
            po_attempt,
            and_(
                po_attempt.c.draft_id == po_draft.c.draft_id,
                po_attempt.c.attempt == po_draft.c.attempt,
            ),
        )
        .where(po_draft.c.status == PoStatus.SENDING.value, po_attempt.c.requested_at < cutoff)
        .order_by(po_attempt.c.requested_at)
        .limit(limit)
    )
    return [(r.tenant_id, r.draft_id) for r in await uow.session.execute(stmt)]


async def sweep_one(
    uow: UnitOfWork,
    clock: Clock,
    tenant_id: uuid.UUID,
    draft_id: uuid.UUID,
    *,
    timeout_s: float,
    max_requests: int,
) -> Swept | None:
    """Re-request or fail one stuck order under its row lock (None when a result or
    another replica got there first)."""
    draft = await locked(uow, tenant_id, draft_id)
    attempts = await repo.attempts_of(uow.session, draft_id)
    cutoff = clock.now() - timedelta(seconds=timeout_s)
    if draft["status"] != PoStatus.SENDING.value or not attempts:
        return None
    if attempts[-1]["requested_at"] >= cutoff:
        return None
    unanswered = 0
    for attempt in reversed(attempts):
        if attempt["requested_by"] != SWEEP_ACTOR or attempt["outcome"] != "pending":
            break
        unanswered += 1
    source = str(draft["source"])
    if unanswered < max_requests:
        try:
            number = await request_attempt(
                uow,
                clock,
                tenant_id,
                SWEEP_ACTOR,
                draft,
                PoStatus.SENDING,
                "re_requested",
                by_user=False,
            )
        except NoConnection as exc:
            swept = await _fail(uow, clock, draft, "connection_missing", str(exc), False)
        else:
            swept = Swept("re_requested", source, number)
    else:
        message = f"no answer from the {source} connector after {unanswered} re-requests"
        swept = await _fail(uow, clock, draft, "no_answer", message, True)
    await uow.commit()
    return swept


async def _fail(
    uow: UnitOfWork, clock: Clock, draft: RowMapping, reason: str, message: str, retryable: bool
) -> Swept:
    now = clock.now()
    await repo.update_draft(
        uow.session,
        draft["draft_id"],
        {
            "status": next_status(PoStatus.SENDING, Action.FAILED).value,
            "failure_reason": reason,
            "failure_message": message,
            "failure_retryable": retryable,
            "failure_details": {},
            "updated_at": now,
        },
    )
    details = {"attempt": draft["attempt"], "reason": reason, "retryable": retryable}
    await repo.audit(
        uow.session, draft["tenant_id"], draft["draft_id"], "failed", SWEEP_ACTOR, now, details
    )
    return Swept("failed", str(draft["source"]), int(draft["attempt"]), latency_s(clock, draft))
