"""Create purchase orders at Katana on po-gateway's request, exactly once.

The consumer only records the request (``po_submission``, same transaction as the inbox
row). A worker leases pending submissions and, for each: looks the PO up by its
deterministic order number, re-validates supplier, location and variants, records the
attempt, POSTs, and on a timeout or dropped answer looks the PO up again before any
retry. The result event is written with the final state in one transaction.
"""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from connector_katana.adapters.budget import PRIORITY
from connector_katana.adapters.katana_client import KatanaClient, KatanaError, KatanaUnavailable
from connector_katana.adapters.orm import connection, po_attempt_log, po_submission
from connector_katana.handlers.deps import Deps
from connector_katana.handlers.publishing import PRODUCER
from platform_kit.db.uow import UnitOfWork
from restock_contracts.envelope import derived_event_id
from restock_contracts.po.v1 import (
    PurchaseOrderSubmissionFailed,
    PurchaseOrderSubmissionRequested,
    PurchaseOrderSubmitted,
)
from restock_contracts.topics import PO_SUBMISSION_RESULTS

log = logging.getLogger(__name__)


class Failed(Exception):
    """The submission failed with a contract reason."""

    def __init__(
        self,
        reason: str,
        message: str,
        retryable: bool,
        status: int | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.retryable = retryable
        self.status = status
        self.details = details or {}


async def on_submission_requested(envelope: Any, uow: UnitOfWork) -> None:
    """Consumer handler: record requests for Katana connections this service owns."""
    p: PurchaseOrderSubmissionRequested = envelope.payload
    if p.source != "katana":
        return
    conn = (
        await uow.session.execute(
            select(connection.c.status).where(
                connection.c.connection_id == p.connection_id,
                connection.c.tenant_id == envelope.tenant_id,
            )
        )
    ).first()
    if conn is None:
        return
    await uow.session.execute(
        pg_insert(po_submission)
        .values(
            submission_id=p.submission_id,
            attempt=p.attempt,
            tenant_id=envelope.tenant_id,
            connection_id=p.connection_id,
            order_no=p.order_number,
            request=p.model_dump(mode="json"),
            status="pending",
        )
        .on_conflict_do_nothing()
    )


async def claim_submission(deps: Deps) -> Any:
    """Lease one pending submission (any replica), or None."""
    async with deps.uow() as uow:
        row = (
            await uow.session.execute(
                text(
                    "update po_submission "
                    "set lease_until = clock_timestamp() + make_interval(secs => :lease) "
                    "where (submission_id, attempt) = (select submission_id, attempt "
                    "from po_submission "
                    "where status in ('pending', 'posting') and (lease_until is null "
                    "or lease_until < clock_timestamp()) order by created_at limit 1 "
                    "for update skip locked) returning submission_id, attempt"
                ),
                {"lease": deps.settings.po_lease_s},
            )
        ).first()
        await uow.commit()
    return row


async def process_submission(deps: Deps, submission_id: uuid.UUID, attempt: int) -> str:
    """Drive one leased submission to submitted or failed; returns the final status."""
    async with deps.db.sessions() as session:
        sub = (
            await session.execute(
                select(po_submission).where(
                    po_submission.c.submission_id == submission_id,
                    po_submission.c.attempt == attempt,
                )
            )
        ).one()
        conn = (
            await session.execute(
                select(connection).where(connection.c.connection_id == sub.connection_id)
            )
        ).one()
    request = PurchaseOrderSubmissionRequested.model_validate(sub.request)
    try:
        if conn.status != "active":
            raise Failed("connection_missing", "the Katana connection was removed", False)
        client = deps.client(conn)
        found = await find_by_order_no(client, sub.order_no)
        if found is not None:
            return await _succeed(deps, sub, request, found, found_existing=True)
        await _validate(client, request)
        po = await _create(deps, client, sub, request)
        return await _succeed(deps, sub, request, po, found_existing=False)
    except Failed as exc:
        return await _fail(deps, sub, request, exc)
    except KatanaUnavailable as exc:
        return await _fail(deps, sub, request, Failed("provider_unavailable", str(exc), True))
    except KatanaError as exc:
        return await _fail(deps, sub, request, _from_error(exc))


async def find_by_order_no(client: KatanaClient, order_no: str) -> dict[str, Any] | None:
    """The PO with this order number (checked client-side), or None."""
    page = await client.list_page(
        "/purchase_orders", {"order_no": order_no}, 1, 250, priority=PRIORITY
    )
    for row in page.rows:
        if row.get("order_no") == order_no and not row.get("deleted_at"):
            return row
    return None


async def _validate(client: KatanaClient, p: PurchaseOrderSubmissionRequested) -> None:
    try:
        suppliers = await client.list_page(
            "/suppliers", {"ids": [p.supplier_id]}, 1, 250, priority=PRIORITY
        )
        if not any(str(s.get("id")) == p.supplier_id for s in suppliers.rows):
            raise Failed("not_found", f"supplier {p.supplier_id} not found in Katana", False)
        try:
            await client.get_json(f"/locations/{int(p.location_id)}", priority=PRIORITY)
        except KatanaError as exc:
            if exc.status == 404:
                raise Failed("not_found", f"location {p.location_id} not found", False) from exc
            raise
        wanted = sorted({line.variant_id for line in p.lines})
        variants = await client.list_page("/variants", {"ids": wanted}, 1, 250, priority=PRIORITY)
        have = {str(v.get("id")) for v in variants.rows if not v.get("deleted_at")}
        missing = [v for v in wanted if v not in have]
        if missing:
            raise Failed("not_found", f"variants not found: {', '.join(missing)}", False)
    except ValueError as exc:
        raise Failed("validation", f"invalid id: {exc}", False) from exc
    except KatanaError as exc:
        raise _from_error(exc) from exc


def _body(p: PurchaseOrderSubmissionRequested) -> dict[str, Any]:
    body: dict[str, Any] = {
        "order_no": p.order_number,
        "supplier_id": int(p.supplier_id),
        "location_id": int(p.location_id),
        "currency": p.currency,
        "status": p.status,
        "purchase_order_rows": [
            {
                "variant_id": int(line.variant_id),
                "quantity": float(line.quantity),
                "price_per_unit": float(line.unit_price),
                **({"purchase_uom": line.purchase_uom[:7]} if line.purchase_uom else {}),
                "purchase_uom_conversion_rate": float(line.purchase_uom_conversion_rate),
            }
            for line in p.lines
        ],
    }
    if p.expected_arrival:
        body["expected_arrival_date"] = f"{p.expected_arrival.isoformat()}T00:00:00.000Z"
    if p.notes:
        body["additional_info"] = p.notes
    return body


async def _create(
    deps: Deps, client: KatanaClient, sub: Any, p: PurchaseOrderSubmissionRequested
) -> dict[str, Any]:
    for _ in range(deps.settings.po_max_post_attempts):
        await _record(deps, sub, "post", "sending")
        started = time.monotonic()
        try:
            response = await client.request(
                "POST", "/purchase_orders", body=_body(p), priority=PRIORITY, retry_unknown=False
            )
            await _record(deps, sub, "post", "created", time.monotonic() - started)
            return dict(response.json())
        except KatanaUnavailable as exc:
            await _record(deps, sub, "post", f"no answer: {exc}"[:200], time.monotonic() - started)
        except KatanaError as exc:
            await _record(deps, sub, "post", f"error {exc.status}", time.monotonic() - started)
            if exc.status == 422 and "unique" in str(exc.body).lower():
                found = await find_by_order_no(client, sub.order_no)
                if found is not None:
                    return found
            raise _from_error(exc) from exc
        found = await find_by_order_no(client, sub.order_no)
        await _record(deps, sub, "lookup", "found" if found else "absent")
        if found is not None:
            return found
    raise Failed("provider_unavailable", "Katana did not answer the create request", True)


def _from_error(exc: KatanaError) -> Failed:
    details = exc.body if isinstance(exc.body, dict) else {}
    reason, retryable = {
        401: ("auth", False),
        403: ("forbidden", False),
        404: ("not_found", False),
        422: ("validation", False),
        429: ("rate_limited", True),
    }.get(exc.status, ("unknown", exc.status >= 500))
    if exc.status >= 500:
        reason = "provider_unavailable"
    return Failed(reason, exc.message or exc.name, retryable, exc.status, details)


async def _record(
    deps: Deps, sub: Any, action: str, result: str, elapsed: float | None = None
) -> None:
    async with deps.uow() as uow:
        if action == "post" and result == "sending":
            await uow.session.execute(
                update(po_submission)
                .where(
                    po_submission.c.submission_id == sub.submission_id,
                    po_submission.c.attempt == sub.attempt,
                )
                .values(
                    status="posting",
                    post_attempts=po_submission.c.post_attempts + 1,
                    updated_at=deps.clock.now(),
                )
            )
        await uow.session.execute(
            po_attempt_log.insert().values(
                tenant_id=sub.tenant_id,
                submission_id=sub.submission_id,
                attempt=sub.attempt,
                action=action,
                result=result,
                elapsed_s=elapsed,
            )
        )
        await uow.commit()


async def _succeed(
    deps: Deps,
    sub: Any,
    p: PurchaseOrderSubmissionRequested,
    po: dict[str, Any],
    *,
    found_existing: bool,
) -> str:
    payload = PurchaseOrderSubmitted(
        submission_id=p.submission_id,
        po_draft_id=p.po_draft_id,
        attempt=p.attempt,
        connection_id=p.connection_id,
        source="katana",
        provider_po_id=str(po.get("id")),
        provider_po_number=po.get("order_no"),
        provider_status=po.get("status"),
        created_at=deps.clock.now(),
        found_existing=found_existing,
    )
    await _finish(deps, sub, "submitted", payload, str(po.get("id")))
    return "submitted"


async def _fail(deps: Deps, sub: Any, p: PurchaseOrderSubmissionRequested, exc: Failed) -> str:
    details = {
        k: v for k, v in exc.details.items() if isinstance(v, (str, int, float, bool, list, dict))
    }
    payload = PurchaseOrderSubmissionFailed(
        submission_id=p.submission_id,
        po_draft_id=p.po_draft_id,
        attempt=p.attempt,
        connection_id=p.connection_id,
        source="katana",
        reason_code=exc.reason,
        message=exc.message[:1000],
        retryable=exc.retryable,
        provider_status_code=exc.status,
        provider_details=details,
    )
    await _finish(deps, sub, "failed", payload, None)
    return "failed"


async def _finish(deps: Deps, sub: Any, status: str, payload: Any, po_id: str | None) -> None:
    async with deps.uow() as uow:
        await uow.session.execute(
            update(po_submission)
            .where(
                po_submission.c.submission_id == sub.submission_id,
                po_submission.c.attempt == sub.attempt,
            )
            .values(
                status=status,
                provider_po_id=po_id,
                outcome=payload.model_dump(mode="json"),
                lease_until=None,
                updated_at=deps.clock.now(),
            )
        )
        envelope = PO_SUBMISSION_RESULTS.envelope(
            payload,
            tenant_id=sub.tenant_id,
            producer=PRODUCER,
            event_id=derived_event_id(sub.submission_id, sub.attempt, "result"),
        )
        uow.publish(envelope, PO_SUBMISSION_RESULTS.name)
        await uow.commit()
