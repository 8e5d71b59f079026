"""Creating purchase orders at Xero exactly once, on po-gateway's request.

The consumer only records the request (``po_submission``, keyed by submission + attempt,
so a redelivered request is a no-op). A worker then, for each pending submission:

1. looks the deterministic ``PurchaseOrderNumber`` up first (``GET /PurchaseOrders/{n}``):
   a PO created by an earlier try whose answer was lost — even beyond Xero's 6-minute
   idempotency window — is found instead of created twice;
2. otherwise ``PUT /PurchaseOrders?summarizeErrors=false`` with a deterministic
   ``Idempotency-Key`` (a concurrent or quick retry gets Xero's stored response);
3. records the outcome and publishes ``PurchaseOrderSubmitted`` / ``...SubmissionFailed``
   (deterministic event id) in the same transaction.

Timeouts and 5xx reschedule the submission with backoff (it looks up again next time);
after ``po_max_tries`` it fails as retryable. A duplicate-number validation error also
leads back to the lookup.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from connector_xero.adapters.budget import PRIORITY
from connector_xero.adapters.orm import connection, po_submission
from connector_xero.adapters.xero_api import OrgRef, path_id
from connector_xero.domain import purchase_orders as po
from connector_xero.domain.errors import (
    DayLimitReached,
    NeedsReauthorisation,
    ProviderRejected,
    ProviderUnavailable,
    RateLimited,
)
from connector_xero.domain.values import content_hash
from connector_xero.handlers.deps import Deps
from connector_xero.handlers.publishing import PRODUCER
from platform_kit.clock import real_now
from platform_kit.db.uow import UnitOfWork
from restock_contracts.envelope import derived_event_id
from restock_contracts.po.v1 import (
    PurchaseOrderSubmissionFailed,
    PurchaseOrderSubmissionRequested,
    PurchaseOrderSubmitted,
)
from restock_contracts.topics import PO_SUBMISSION_RESULTS


async def record_request(envelope: Any, uow: UnitOfWork) -> None:
    """Consumer side: remember a request for one of this tenant's Xero connections."""
    request: PurchaseOrderSubmissionRequested = envelope.payload
    if request.source != "xero":
        return
    conn = (
        await uow.session.execute(
            select(connection.c.connection_id).where(
                connection.c.connection_id == request.connection_id,
                connection.c.tenant_id == envelope.tenant_id,
            )
        )
    ).one_or_none()
    if conn is None:
        _publish_failed(
            uow, envelope.tenant_id, request, "connection_missing", "no such connection", False
        )
        return
    await uow.session.execute(
        pg_insert(po_submission)
        .values(
            submission_id=request.submission_id,
            attempt=request.attempt,
            tenant_id=envelope.tenant_id,
            connection_id=request.connection_id,
            order_number=request.order_number,
            request=request.model_dump(mode="json"),
        )
        .on_conflict_do_nothing(index_elements=["submission_id", "attempt"])
    )


async def claim(deps: Deps) -> Any:
    """One pending submission whose backoff has passed (leased for this worker)."""
    async with deps.uow() as uow:
        row = (
            await uow.session.execute(
                text(
                    "update po_submission set lease_until = now() + make_interval(secs => :lease),"
                    " tries = tries + 1, updated_at = now() where (submission_id, attempt) ="
                    " (select submission_id, attempt from po_submission where status = 'pending'"
                    " and coalesce(not_before, now()) <= now()"
                    " and coalesce(lease_until, now()) <= now()"
                    " order by created_at limit 1 for update skip locked) returning *"
                ),
                {"lease": deps.settings.po_lease_s},
            )
        ).one_or_none()
        await uow.commit()
    return row


async def submit(deps: Deps, row: Any) -> str:
    """Create (or find) the PO for one claimed submission; returns the final row status."""
    request = PurchaseOrderSubmissionRequested.model_validate(row.request)
    async with deps.db.sessions() as session:
        conn = (
            await session.execute(
                select(connection).where(connection.c.connection_id == row.connection_id)
            )
        ).one_or_none()
    if conn is None:
        return await _fail(deps, row, request, "connection_missing", "connection removed", False)
    org = OrgRef(conn.grant_id, conn.xero_tenant_id)
    try:
        if conn.status != "active":
            raise NeedsReauthorisation(conn.status_reason or conn.status)
        for _ in range(2):
            found = await _lookup(deps, org, request.order_number)
            if found is not None:
                return await _done(deps, row, request, found, True)
            body = po.po_body(
                request, conn.base_currency, deps.clock.today(conn.time_zone or "UTC")
            )
            key = po.idempotency_key(
                str(row.connection_id), request.order_number, content_hash(body)
            )
            await _count_put(deps, row)
            try:
                answer = await deps.api.call(
                    org,
                    "PUT",
                    "PurchaseOrders",
                    params={"summarizeErrors": "false"},
                    headers={"Idempotency-Key": key},
                    json=body,
                    priority=PRIORITY,
                    retry_transient=False,
                )
            except ProviderRejected as exc:
                messages = _messages(exc.body)
                if exc.status == 400 and po.is_duplicate_number(messages):
                    continue
                reason, retryable = po.failure_reason(exc.status)
                return await _fail(
                    deps,
                    row,
                    request,
                    reason,
                    "; ".join(messages) or str(exc),
                    retryable,
                    exc.status,
                    exc.body,
                )
            element = (answer.get("PurchaseOrders") or [{}])[0]
            messages = po.element_errors(element)
            if element.get("HasErrors") or messages:
                if po.is_duplicate_number(messages):
                    continue
                return await _fail(
                    deps,
                    row,
                    request,
                    "validation",
                    "; ".join(messages),
                    False,
                    200,
                    {"ValidationErrors": messages},
                )
            return await _done(deps, row, request, element, False)
        return await _fail(deps, row, request, "duplicate", "number taken but not found", False)
    except NeedsReauthorisation as exc:
        return await _fail(deps, row, request, "auth", str(exc), False, 401)
    except (ProviderUnavailable, RateLimited, DayLimitReached) as exc:
        if row.tries >= deps.settings.po_max_tries:
            reason = (
                "provider_unavailable" if isinstance(exc, ProviderUnavailable) else "rate_limited"
            )
            return await _fail(deps, row, request, reason, str(exc), True)
        async with deps.uow() as uow:
            await uow.session.execute(
                update(po_submission)
                .where(_key(row))
                .values(
                    not_before=real_now() + timedelta(seconds=deps.settings.po_retry_backoff_s),
                    lease_until=None,
                )
            )
            await uow.commit()
        return "pending"


async def _lookup(deps: Deps, org: OrgRef, number: str) -> dict[str, Any] | None:
    try:
        body = await deps.api.get(org, f"PurchaseOrders/{path_id(number)}", priority=PRIORITY)
    except ProviderRejected as exc:
        if exc.status == 404:
            return None
        raise
    for element in body.get("PurchaseOrders") or []:
        if element.get("PurchaseOrderNumber") == number and element.get("Status") != "DELETED":
            return dict(element)
    return None


def _messages(body: Any) -> list[str]:
    if not isinstance(body, dict):
        return []
    out = [m for e in body.get("Elements") or [] for m in po.element_errors(e)]
    return out or ([str(body["Message"])] if body.get("Message") else [])


def _key(row: Any) -> Any:
    return (po_submission.c.submission_id == row.submission_id) & (
        po_submission.c.attempt == row.attempt
    )


async def _count_put(deps: Deps, row: Any) -> None:
    async with deps.uow() as uow:
        await uow.session.execute(
            update(po_submission).where(_key(row)).values(puts_sent=po_submission.c.puts_sent + 1)
        )
        await uow.commit()


async def _done(deps: Deps, row: Any, request: Any, element: dict[str, Any], found: bool) -> str:
    event = PurchaseOrderSubmitted(
        submission_id=request.submission_id,
        po_draft_id=request.po_draft_id,
        attempt=request.attempt,
        connection_id=request.connection_id,
        source="xero",
        provider_po_id=str(element["PurchaseOrderID"]),
        provider_po_number=element.get("PurchaseOrderNumber"),
        provider_status=element.get("Status"),
        created_at=deps.clock.now(),
        found_existing=found,
    )
    async with deps.uow() as uow:
        await uow.session.execute(
            update(po_submission)
            .where(_key(row))
            .values(
                status="done",
                provider_po_id=event.provider_po_id,
                outcome=event.model_dump(mode="json"),
                lease_until=None,
            )
        )
        _emit(uow, row.tenant_id, request, event)
        await uow.commit()
    return "done"


async def _fail(
    deps: Deps,
    row: Any,
    request: Any,
    reason: str,
    message: str,
    retryable: bool,
    status: int | None = None,
    details: Any = None,
) -> str:
    async with deps.uow() as uow:
        event = _publish_failed(
            uow, row.tenant_id, request, reason, message, retryable, status, details
        )
        await uow.session.execute(
            update(po_submission)
            .where(_key(row))
            .values(status="failed", outcome=event.model_dump(mode="json"), lease_until=None)
        )
        await uow.commit()
    return "failed"


def _publish_failed(
    uow: UnitOfWork,
    tenant_id: uuid.UUID,
    request: Any,
    reason: str,
    message: str,
    retryable: bool,
    status: int | None = None,
    details: Any = None,
) -> PurchaseOrderSubmissionFailed:
    event = PurchaseOrderSubmissionFailed(
        submission_id=request.submission_id,
        po_draft_id=request.po_draft_id,
        attempt=request.attempt,
        connection_id=request.connection_id,
        source="xero",
        reason_code=reason,
        message=message[:1000],
        retryable=retryable,
        provider_status_code=status,
        provider_details=details if isinstance(details, dict) else {},
    )
    _emit(uow, tenant_id, request, event)
    return event


def _emit(uow: UnitOfWork, tenant_id: uuid.UUID, request: Any, event: Any) -> None:
    envelope = PO_SUBMISSION_RESULTS.envelope(
        event,
        tenant_id=tenant_id,
        producer=PRODUCER,
        event_id=derived_event_id(request.submission_id, request.attempt, "result"),
    )
    uow.publish(envelope, PO_SUBMISSION_RESULTS.name)
