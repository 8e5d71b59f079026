"""Purchase orders at the sandbox exactly once: through the broker, under an injected
timeout after creation, on redelivery, and on a replay beyond Xero's 6-minute window."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from cx_support import Service, connect, outbox, scalar, service

from restock_contracts.po.v1 import PurchaseOrderLineRequest, PurchaseOrderSubmissionRequested
from restock_contracts.topics import PO_SUBMISSION_REQUESTS, PO_SUBMISSION_RESULTS
from xero_sandbox.testing import fast_config, running_sandbox

pytestmark = pytest.mark.asyncio


def request(
    sb: Any,
    connection_id: uuid.UUID,
    number: str,
    attempt: int = 1,
    code: str | None = None,
    submission: uuid.UUID | None = None,
) -> PurchaseOrderSubmissionRequested:
    org = sb.sandbox.orgs[sb.tenant_ids[0]]
    supplier = next(c for c in org.collections["Contacts"].values() if c.get("IsSupplier"))
    item = next(i for i in org.collections["Items"].values() if i.get("IsTrackedAsInventory"))
    return PurchaseOrderSubmissionRequested(
        submission_id=submission or uuid.uuid4(),
        po_draft_id=uuid.uuid4(),
        attempt=attempt,
        connection_id=connection_id,
        source="xero",
        supplier_id=supplier["ContactID"],
        location_id=sb.tenant_ids[0],
        order_number=number,
        currency="NZD",
        fx_rate_to_base=Decimal(1),
        status="DRAFT",
        lines=[
            PurchaseOrderLineRequest(
                line_id=uuid.uuid4(),
                variant_id=item["ItemID"],
                item_code=code or item["Code"],
                quantity=Decimal(12),
                purchase_uom_conversion_rate=Decimal(1),
                unit_price=Decimal("4.50"),
            )
        ],
    )


async def send(bootstrap: str, svc: Service, req: PurchaseOrderSubmissionRequested) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        env = PO_SUBMISSION_REQUESTS.envelope(req, tenant_id=svc.tenant_id, producer="po-gateway")
        await producer.send_and_wait(PO_SUBMISSION_REQUESTS.name, env.to_json_bytes(), key=env.key)
    finally:
        await producer.stop()


async def result(svc: Service, req: PurchaseOrderSubmissionRequested, limit_s: float = 40) -> Any:
    for _ in range(int(limit_s / 0.1)):
        found = [
            e.payload
            for e in await outbox(svc, PO_SUBMISSION_RESULTS.name)
            if e.payload.submission_id == req.submission_id and e.payload.attempt == req.attempt
        ]
        if found:
            return found
        await asyncio.sleep(0.1)
    raise AssertionError("no result published")


def created(sb: Any, number: str) -> list[Any]:
    listed = sb.admin("GET", "/purchase-orders")["PurchaseOrders"]
    return [p for p in listed if p["PurchaseOrderNumber"] == number]


async def test_po_created_exactly_once(
    pg_url: str, kafka_bootstrap: str, keys_dir: Path, mint_token: Any, unique_name: str
) -> None:
    with running_sandbox(fast_config()) as sb:
        async with service(sb, pg_url, kafka_bootstrap, keys_dir, unique_name, mint_token) as svc:
            _, connection_id = await connect(svc, sb)

            # 1. through the broker; a redelivered request (new event id) changes nothing
            first = request(sb, connection_id, "RS-PO-1")
            await send(kafka_bootstrap, svc, first)
            [ok] = await result(svc, first)
            assert ok.event_type == "po.submitted" and not ok.found_existing
            assert ok.provider_status == "DRAFT" and ok.provider_po_number == "RS-PO-1"
            await send(kafka_bootstrap, svc, first)
            await asyncio.sleep(2)
            assert len(await result(svc, first)) == 1
            made = await asyncio.to_thread(created, sb, "RS-PO-1")
            assert len(made) == 1 and made[0]["PurchaseOrderID"] == ok.provider_po_id

            # 2. the connection drops after Xero stored the PO: the retry finds it
            await asyncio.to_thread(
                sb.admin,
                "POST",
                "/faults",
                {"timeout_after_po_create": 1, "timeout_hang_seconds": 0.2},
            )
            second = request(sb, connection_id, "RS-PO-2")
            await send(kafka_bootstrap, svc, second)
            [found] = await result(svc, second)
            assert found.event_type == "po.submitted" and found.found_existing
            assert len(await asyncio.to_thread(created, sb, "RS-PO-2")) == 1
            assert (
                await scalar(
                    svc, "select puts_sent from po_submission where order_number = 'RS-PO-2'"
                )
                == 1
            )

            # 3. po-gateway replays after Xero's 6-minute idempotency window
            await asyncio.to_thread(sb.advance, 7 * 60)
            replay = request(
                sb, connection_id, "RS-PO-1", attempt=2, submission=first.submission_id
            )
            await send(kafka_bootstrap, svc, replay)
            [again] = await result(svc, replay)
            assert again.event_type == "po.submitted" and again.found_existing
            assert again.provider_po_id == ok.provider_po_id
            assert len(await asyncio.to_thread(created, sb, "RS-PO-1")) == 1

            # 4. a timeout, then the window passes before the retry: still one PO
            await asyncio.to_thread(
                sb.admin,
                "POST",
                "/faults",
                {"timeout_after_po_create": 1, "timeout_hang_seconds": 0.2},
            )
            third = request(sb, connection_id, "RS-PO-3")
            await send(kafka_bootstrap, svc, third)
            for _ in range(100):
                if await scalar(
                    svc, "select puts_sent from po_submission where order_number = 'RS-PO-3'"
                ):
                    break
                await asyncio.sleep(0.05)
            await asyncio.to_thread(sb.advance, 7 * 60)
            [late] = await result(svc, third)
            assert late.event_type == "po.submitted"
            assert len(await asyncio.to_thread(created, sb, "RS-PO-3")) == 1

            # 5. a bad item code is a non-retryable validation failure
            bad = request(sb, connection_id, "RS-PO-4", code="NO-SUCH-ITEM")
            await send(kafka_bootstrap, svc, bad)
            [failed] = await result(svc, bad)
            assert failed.event_type == "po.submission_failed"
            assert failed.reason_code == "validation" and not failed.retryable
            assert await asyncio.to_thread(created, sb, "RS-PO-4") == []
