"""PO creation exactly once: timeouts after the PO was created, dropped answers, retries."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from ck_support import Api, connector, outbox, sql

from restock_contracts.po.v1 import PurchaseOrderLineRequest, PurchaseOrderSubmissionRequested
from restock_contracts.topics import PO_SUBMISSION_REQUESTS

pytestmark = pytest.mark.asyncio


def request(
    connection_id: str,
    order_no: str,
    supplier: int,
    variant: int,
    *,
    attempt: int = 1,
    submission: uuid.UUID | None = None,
) -> Any:
    return PurchaseOrderSubmissionRequested(
        submission_id=submission or uuid.uuid4(),
        po_draft_id=uuid.uuid4(),
        attempt=attempt,
        connection_id=uuid.UUID(connection_id),
        source="katana",
        supplier_id=str(supplier),
        location_id="1",
        order_number=order_no,
        currency="NZD",
        fx_rate_to_base=Decimal(1),
        status="NOT_RECEIVED",
        lines=[
            PurchaseOrderLineRequest(
                line_id=uuid.uuid4(),
                variant_id=str(variant),
                quantity=Decimal(5),
                purchase_uom="pcs",
                purchase_uom_conversion_rate=Decimal(1),
                unit_price=Decimal("2.50"),
            )
        ],
    )


async def send(bootstrap: str, tenant: uuid.UUID, payloads: list[Any]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        for payload in payloads:
            env = PO_SUBMISSION_REQUESTS.envelope(payload, tenant_id=tenant, producer="test")
            await producer.send_and_wait(
                PO_SUBMISSION_REQUESTS.name, env.to_json_bytes(), key=env.key
            )
    finally:
        await producer.stop()


async def results(settings: Any, n: int, limit_s: float = 60) -> list[dict[str, Any]]:
    deadline = asyncio.get_running_loop().time() + limit_s
    while True:
        rows = await outbox(settings, "topic = 'po.submission-results.v1'")
        if len(rows) >= n:
            return [r["envelope"]["payload"] for r in rows]
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"only {len(rows)} results")
        await asyncio.sleep(0.2)


async def test_po_created_exactly_once_under_timeouts_drops_and_retries(
    sandbox: Any, make_settings: Any, mint_token: Any, tenant: uuid.UUID, kafka_bootstrap: str
) -> None:
    settings = make_settings(sandbox, http_timeout_s=1.0, run_consumers=True)
    with sandbox.client() as kc:
        supplier = kc.get("/suppliers").json()["data"][0]["id"]
        variant = kc.get("/variants").json()["data"][0]["id"]
    async with connector(settings) as (base, _app):
        api = Api(base, mint_token(tenant))
        conn = await api.connect()
        await api.close()
        cid = conn["connection_id"]
        sandbox.set_faults(po_create_mode="delay", po_create_count=2, po_create_delay_s=2.0)
        first = request(cid, "RST-0001", supplier, variant)
        await send(kafka_bootstrap, tenant, [first])
        got = await results(settings, 1)
        sandbox.set_faults(po_create_mode="drop", po_create_count=1)
        dropped = request(cid, "RST-0002", supplier, variant)
        retry = request(
            cid, "RST-0001", supplier, variant, attempt=2, submission=first.submission_id
        )
        unknown = request(cid, "RST-0003", 999999, variant)
        await send(kafka_bootstrap, tenant, [dropped, retry, unknown, dropped])
        got = await results(settings, 4)
    by_key = {(r["submission_id"], r["attempt"]): r for r in got}
    assert len(got) == 4, "a redelivered request yields no second result"
    one = by_key[(str(first.submission_id), 1)]
    assert one["event_type"] == "po.submitted" and one["found_existing"] is False
    two = by_key[(str(dropped.submission_id), 1)]
    assert two["event_type"] == "po.submitted"
    again = by_key[(str(first.submission_id), 2)]
    assert again["found_existing"] is True and again["provider_po_id"] == one["provider_po_id"]
    bad = by_key[(str(unknown.submission_id), 1)]
    assert bad["event_type"] == "po.submission_failed"
    assert (bad["reason_code"], bad["retryable"]) == ("not_found", False)
    with sandbox.client() as kc:
        orders = kc.get("/purchase_orders", params={"limit": 250}).json()["data"]
    numbers = [o["order_no"] for o in orders if o["order_no"].startswith("RST-")]
    assert sorted(numbers) == ["RST-0001", "RST-0002"], "each PO exists exactly once"
    log = await sql(
        settings,
        "select action, result from po_attempt_log where submission_id = :s order by id",
        s=first.submission_id,
    )
    assert any(r.result.startswith("no answer") for r in log)
    assert ("lookup", "found") in [(r.action, r.result) for r in log]
