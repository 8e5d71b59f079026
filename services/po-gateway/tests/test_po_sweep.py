"""Orders stuck in sending: the sweep re-requests the same submission (same id and order
number, next attempt), gives up as a retryable ``no_answer`` failure, a late success still
wins, and ``restock_po_submission_latency_seconds`` is exposed on /metrics."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from po_support import auth, eventually, running

from restock_contracts.po.v1 import PurchaseOrderSubmitted
from restock_contracts.topics import PO_SUBMISSION_RESULTS

pytestmark = pytest.mark.asyncio
BASE = "/v1/purchase-orders"


async def test_stuck_sending_is_re_requested_then_failed(
    pg_url: str, kafka_bootstrap: str, keys_dir: Path, mint_token: Any, unique_name: str
) -> None:
    tenant = uuid.uuid4()
    token = mint_token(tenant, ["admin"], user_id="ada")
    async with running(
        pg_url,
        kafka_bootstrap,
        keys_dir,
        unique_name,
        tenant,
        token,
        sending_timeout_s=1.0,
        sending_max_requests=2,
        sweep_poll_s=0.2,
    ) as (_app, http, bus):
        made = await http.post(
            f"{BASE}/drafts",
            json={"supplier_id": "s2", "fx_rates": {"USD": "0.9"}},
            headers=auth(token),
        )
        (draft,) = made.json()["drafts"]
        url = f"{BASE}/{draft['draft_id']}"
        etag = (await http.get(url, headers=auth(token))).headers["etag"]
        await bus.connect(tenant)

        async def approve_and_send() -> Any:
            return await http.post(
                f"{url}/approve?send=true", headers=auth(token, **{"If-Match": etag})
            )

        sent = await eventually(approve_and_send, lambda r: r.status_code == 200)
        assert sent.json()["status"] == "sending"

        async def probe() -> Any:
            return (await http.get(url, headers=auth(token))).json()

        failed = await eventually(probe, lambda b: b["status"] == "failed", timeout_s=30)
        assert failed["failure_reason"] == "no_answer" and failed["failure_retryable"] is True
        assert "retry" in failed["allowed_actions"]
        requests = await bus.requests_for(tenant, 3)
        assert [r.payload.attempt for r in requests] == [1, 2, 3], "no attempt requested twice"
        assert {r.payload.submission_id for r in requests} == {uuid.UUID(draft["submission_id"])}
        assert {r.payload.order_number for r in requests} == {draft["order_number"]}
        audit = (await http.get(f"{url}/audit", headers=auth(token))).json()
        swept = [(a["action"], a["actor"]) for a in audit if a["actor"] == "po-gateway-sweep"]
        assert swept == [
            ("re_requested", "po-gateway-sweep"),
            ("re_requested", "po-gateway-sweep"),
            ("failed", "po-gateway-sweep"),
        ]
        assert failed["sent_by"] == "ada", "re-requests do not change who sent the order"

        late = requests[1].payload
        result = PurchaseOrderSubmitted(
            submission_id=late.submission_id,
            po_draft_id=late.po_draft_id,
            attempt=late.attempt,
            connection_id=late.connection_id,
            source=late.source,
            provider_po_id="4242",
            provider_po_number=late.order_number,
            provider_status="NOT_RECEIVED",
            created_at=datetime(2026, 6, 1, 7, tzinfo=UTC),
            found_existing=True,
        )
        await bus.publish(
            PO_SUBMISSION_RESULTS,
            PO_SUBMISSION_RESULTS.envelope(result, tenant_id=tenant, producer="connector-test"),
        )
        done = await eventually(probe, lambda b: b["status"] == "sent")
        assert done["provider_po_id"] == "4242"

        metrics = (await http.get("/metrics")).text
        counts = [
            line
            for line in metrics.splitlines()
            if line.startswith("restock_po_submission_latency_seconds_count")
        ]
        assert counts == ['restock_po_submission_latency_seconds_count{provider="katana"} 2.0']
