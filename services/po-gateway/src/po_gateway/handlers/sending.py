"""Use cases of approval and sending, and the handling of the connector's results.

Exactly once: every transition takes the draft's row lock first, so two approvers or a
double click serialise and the second one sees the new status (409) or a stale ETag
(412). Sending writes the ``sending`` status, the attempt row and the submission request
(outbox) in one transaction. All attempts of a draft share its submission id and order
number, so the connector finds a PO it already created; results are applied under the
same lock and a replayed result changes nothing.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from pydantic import ValidationError
from sqlalchemy.engine import RowMapping

from platform_kit.clock import Clock
from platform_kit.db.uow import UnitOfWork
from po_gateway.adapters import repo
from po_gateway.domain import numbering
from po_gateway.domain.errors import NoConnection, ValidationFailed
from po_gateway.domain.states import Action, PoStatus, next_status
from po_gateway.domain.validation import ready_errors
from po_gateway.handlers.common import BeforeCommit, Precondition, load_view, locked, tenant_today
from restock_contracts.po.v1 import (
    ALLOWED_CREATE_STATUSES,
    PurchaseOrderLineRequest,
    PurchaseOrderSubmissionFailed,
    PurchaseOrderSubmissionRequested,
    PurchaseOrderSubmitted,
)
from restock_contracts.topics import PO_SUBMISSION_REQUESTS

log = logging.getLogger(__name__)
PRODUCER = "po-gateway"
DEFAULT_STATUS = {"katana": "NOT_RECEIVED", "xero": "DRAFT"}


def _no_check(version: int) -> None:
    """No precondition (If-Match is optional on send and retry)."""


async def approve(
    uow: UnitOfWork,
    clock: Clock,
    tenant_id: uuid.UUID,
    user_id: str,
    draft_id: uuid.UUID,
    check: Precondition,
    *,
    and_send: bool = False,
) -> dict[str, Any]:
    """Approve a draft (the ETag says which version was reviewed); optionally send it."""
    draft = await locked(uow, tenant_id, draft_id)
    check(draft["version"])
    next_status(PoStatus(draft["status"]), Action.APPROVE)
    lines = await repo.lines_of(uow.session, [draft_id])
    errors = ready_errors(
        dict(draft), [dict(x) for x in lines], await tenant_today(uow, clock, tenant_id)
    )
    if errors:
        raise ValidationFailed(errors)
    now = clock.now()
    values = {"status": PoStatus.APPROVED.value, "approved_by": user_id, "approved_at": now}
    await repo.update_draft(
        uow.session, draft_id, {**values, "updated_by": user_id, "updated_at": now}
    )
    await repo.audit(
        uow.session, tenant_id, draft_id, "approved", user_id, now, {"version": draft["version"]}
    )
    if and_send:
        await _send(uow, clock, tenant_id, user_id, await locked(uow, tenant_id, draft_id))
    out = await load_view(uow, tenant_id, draft_id)
    await uow.commit()
    return out


async def send(
    uow: UnitOfWork,
    clock: Clock,
    tenant_id: uuid.UUID,
    user_id: str,
    draft_id: uuid.UUID,
    check: Precondition = _no_check,
    before_commit: BeforeCommit | None = None,
) -> dict[str, Any]:
    """Send an approved order, or retry a failed one (retryable failures only)."""
    draft = await locked(uow, tenant_id, draft_id)
    check(draft["version"])
    await _send(uow, clock, tenant_id, user_id, draft)
    out = await load_view(uow, tenant_id, draft_id)
    if before_commit is not None:
        await before_commit(out)
    await uow.commit()
    return out


async def reopen(
    uow: UnitOfWork,
    clock: Clock,
    tenant_id: uuid.UUID,
    user_id: str,
    draft_id: uuid.UUID,
    check: Precondition,
) -> dict[str, Any]:
    """Take an approved or failed order back to draft so it can be edited."""
    draft = await locked(uow, tenant_id, draft_id)
    check(draft["version"])
    status = next_status(PoStatus(draft["status"]), Action.REOPEN)
    now = clock.now()
    values = {"status": status.value, "approved_by": None, "approved_at": None}
    await repo.update_draft(
        uow.session, draft_id, {**values, "updated_by": user_id, "updated_at": now}
    )
    await repo.audit(
        uow.session, tenant_id, draft_id, "reopened", user_id, now, {"from": draft["status"]}
    )
    out = await load_view(uow, tenant_id, draft_id)
    await uow.commit()
    return out


async def _connection(
    uow: UnitOfWork, tenant_id: uuid.UUID, draft: RowMapping
) -> tuple[uuid.UUID, str]:
    """The connection to send through: the one an earlier attempt used, else the tenant's
    primary source's active connection, else its only active one."""
    active = await repo.active_connections(uow.session, tenant_id)
    if draft["connection_id"] is not None:
        for conn in active:
            if conn["connection_id"] == draft["connection_id"]:
                return conn["connection_id"], conn["source"]
        raise NoConnection("the connection this order was sent through is no longer active")
    info = await repo.tenant_info(uow.session, tenant_id)
    primary = info["primary_source"] if info else None
    preferred = [c for c in active if c["source"] == primary] if primary else active
    if not preferred:
        raise NoConnection("connect Katana or Xero before sending purchase orders")
    return preferred[0]["connection_id"], preferred[0]["source"]


def _request(
    draft: RowMapping, lines: list[RowMapping], attempt: int, connection_id: uuid.UUID, source: str
) -> PurchaseOrderSubmissionRequested:
    status = draft["provider_status"]
    if status not in ALLOWED_CREATE_STATUSES[source]:
        status = DEFAULT_STATUS[source]
    try:
        return PurchaseOrderSubmissionRequested(
            submission_id=draft["submission_id"],
            po_draft_id=draft["draft_id"],
            attempt=attempt,
            connection_id=connection_id,
            source=source,
            supplier_id=draft["supplier_id"],
            location_id=draft["location_id"],
            order_number=draft["order_number"],
            currency=draft["currency"],
            fx_rate_to_base=draft["fx_rate_to_base"],
            status=status,
            expected_arrival=draft["expected_arrival"],
            notes=draft["notes"],
            lines=[
                PurchaseOrderLineRequest(
                    line_id=line["line_id"],
                    variant_id=line["variant_id"],
                    item_code=line["sku"] if source == "xero" else None,
                    description=line["name"],
                    quantity=line["quantity"],
                    purchase_uom=line["purchase_uom"],
                    purchase_uom_conversion_rate=line["purchase_uom_factor"],
                    unit_price=line["unit_price"],
                )
                for line in lines
            ],
        )
    except ValidationError as exc:
        raise ValidationFailed(
            [{"field": ".".join(map(str, e["loc"])), "message": e["msg"]} for e in exc.errors()]
        ) from exc


async def _send(
    uow: UnitOfWork, clock: Clock, tenant_id: uuid.UUID, user_id: str, draft: RowMapping
) -> None:
    status = PoStatus(draft["status"])
    action = Action.RETRY if status is PoStatus.FAILED else Action.SEND
    target = next_status(status, action, retryable=draft["failure_retryable"])
    await request_attempt(
        uow,
        clock,
        tenant_id,
        user_id,
        draft,
        target,
        action.value if action is Action.RETRY else "sent",
        by_user=True,
    )


async def request_attempt(
    uow: UnitOfWork,
    clock: Clock,
    tenant_id: uuid.UUID,
    actor: str,
    draft: RowMapping,
    target: PoStatus,
    audit_action: str,
    *,
    by_user: bool,
) -> int:
    """Publish the next attempt of the draft's one submission (same submission id and
    order number, so the connector finds a PO an earlier attempt created), with its
    attempt and audit rows; returns the attempt number. ``by_user`` records the actor
    and time as the order's sender (the sweep's re-requests do not)."""
    connection_id, source = await _connection(uow, tenant_id, draft)
    lines = await repo.lines_of(uow.session, [draft["draft_id"]])
    attempt = int(draft["attempt"]) + 1
    payload = _request(draft, lines, attempt, connection_id, source)
    event_id = numbering.request_event_id(draft["submission_id"], attempt)
    now = clock.now()
    envelope = PO_SUBMISSION_REQUESTS.envelope(
        payload, tenant_id=tenant_id, producer=PRODUCER, event_id=event_id, occurred_at=now
    )
    uow.publish(envelope, PO_SUBMISSION_REQUESTS.name)
    sender = {"sent_by": actor, "sent_at": now, "updated_by": actor} if by_user else {}
    await repo.update_draft(
        uow.session,
        draft["draft_id"],
        {
            "status": target.value,
            "attempt": attempt,
            "source": source,
            "connection_id": connection_id,
            "failure_reason": None,
            "failure_message": None,
            "failure_retryable": None,
            "failure_details": None,
            "updated_at": now,
            **sender,
        },
    )
    await repo.insert_attempt(
        uow.session,
        {
            "draft_id": draft["draft_id"],
            "attempt": attempt,
            "tenant_id": tenant_id,
            "submission_id": draft["submission_id"],
            "request_event_id": event_id,
            "source": source,
            "connection_id": connection_id,
            "requested_by": actor,
            "requested_at": now,
        },
    )
    details = {"attempt": attempt, "source": source, "order_number": draft["order_number"]}
    await repo.audit(uow.session, tenant_id, draft["draft_id"], audit_action, actor, now, details)
    return attempt


async def apply_submitted(
    uow: UnitOfWork,
    clock: Clock,
    tenant_id: uuid.UUID,
    event_id: uuid.UUID,
    payload: PurchaseOrderSubmitted,
) -> float | None:
    """The provider has the PO: mark it sent once; a replay or late duplicate is a no-op.

    Returns the seconds from the send request to this result when the order became sent
    (for ``restock_po_submission_latency_seconds``), else None."""
    draft = await repo.draft_by_submission(uow.session, tenant_id, payload.submission_id)
    if draft is None:
        log.warning("result for unknown submission %s ignored", payload.submission_id)
        return None
    actor = f"connector-{payload.source}"
    await repo.complete_attempt(
        uow.session,
        draft["draft_id"],
        payload.attempt,
        {"outcome": "submitted", "result_event_id": event_id, "completed_at": clock.now()},
    )
    status = PoStatus(draft["status"])
    if status is PoStatus.SENT:
        if draft["provider_po_id"] != payload.provider_po_id:
            await repo.audit(
                uow.session,
                tenant_id,
                draft["draft_id"],
                "conflicting_result",
                actor,
                clock.now(),
                {"provider_po_id": payload.provider_po_id, "attempt": payload.attempt},
            )
        return None
    next_status(status, Action.SUBMITTED)
    await repo.update_draft(
        uow.session,
        draft["draft_id"],
        {
            "status": PoStatus.SENT.value,
            "provider_po_id": payload.provider_po_id,
            "provider_po_number": payload.provider_po_number,
            "provider_po_status": payload.provider_status,
            "submitted_at": payload.created_at,
            "failure_reason": None,
            "failure_message": None,
            "failure_retryable": None,
            "failure_details": None,
            "updated_at": clock.now(),
        },
    )
    await repo.audit(
        uow.session,
        tenant_id,
        draft["draft_id"],
        "submitted",
        actor,
        clock.now(),
        {
            "attempt": payload.attempt,
            "provider_po_id": payload.provider_po_id,
            "provider_po_number": payload.provider_po_number,
            "found_existing": payload.found_existing,
            "previous_status": status.value,
        },
    )
    return latency_s(clock, draft)


async def apply_failed(
    uow: UnitOfWork,
    clock: Clock,
    tenant_id: uuid.UUID,
    event_id: uuid.UUID,
    payload: PurchaseOrderSubmissionFailed,
) -> float | None:
    """The connector could not create the PO: fail the current attempt (stale ones are kept
    on their attempt row only). Returns the latency when the order became failed."""
    draft = await repo.draft_by_submission(uow.session, tenant_id, payload.submission_id)
    if draft is None:
        log.warning("result for unknown submission %s ignored", payload.submission_id)
        return None
    await repo.complete_attempt(
        uow.session,
        draft["draft_id"],
        payload.attempt,
        {
            "outcome": "failed",
            "result_event_id": event_id,
            "reason_code": payload.reason_code,
            "message": payload.message,
            "completed_at": clock.now(),
        },
    )
    if draft["status"] != PoStatus.SENDING.value or payload.attempt != draft["attempt"]:
        return None
    await repo.update_draft(
        uow.session,
        draft["draft_id"],
        {
            "status": next_status(PoStatus.SENDING, Action.FAILED).value,
            "failure_reason": payload.reason_code,
            "failure_message": payload.message,
            "failure_retryable": payload.retryable,
            "failure_details": {
                "provider_status_code": payload.provider_status_code,
                **payload.provider_details,
            },
            "updated_at": clock.now(),
        },
    )
    await repo.audit(
        uow.session,
        tenant_id,
        draft["draft_id"],
        "failed",
        f"connector-{payload.source}",
        clock.now(),
        {"attempt": payload.attempt, "reason": payload.reason_code, "retryable": payload.retryable},
    )
    return latency_s(clock, draft)


def latency_s(clock: Clock, draft: RowMapping) -> float | None:
    """Seconds from the user's send (or approve-and-send) request to now."""
    sent_at = draft["sent_at"]
    return None if sent_at is None else max(0.0, (clock.now() - sent_at).total_seconds())
