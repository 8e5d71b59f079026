"""Approval and exactly-once sending through the real broker: concurrent approvers,
double clicks, replayed and stale results, retryable and non-retryable failures."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from po_support import Bus, auth, eventually, running

from restock_contracts.po.v1 import PurchaseOrderSubmissionFailed, PurchaseOrderSubmitted
from restock_contracts.topics import PO_SUBMISSION_RESULTS

pytestmark = pytest.mark.asyncio
BASE = "/v1/purchase-orders"


def _submitted(request: Any, po_id: str, **kw: Any) -> PurchaseOrderSubmitted:
    p = request.payload
    return PurchaseOrderSubmitted(
        submission_id=p.submission_id,
        po_draft_id=p.po_draft_id,
        attempt=p.attempt,
        connection_id=p.connection_id,
        source=p.source,
        provider_po_id=po_id,
        provider_po_number=p.order_number,
        provider_status="NOT_RECEIVED",
        created_at=datetime(2026, 6, 1, 7, tzinfo=UTC),
        **kw,
    )


def _failed(request: Any, retryable: bool, reason: str = "provider_unavailable") -> Any:
    p = request.payload
    return PurchaseOrderSubmissionFailed(
        submission_id=p.submission_id,
        po_draft_id=p.po_draft_id,
        attempt=p.attempt,
        connection_id=p.connection_id,
        source=p.source,
        reason_code=reason,
        message=f"{reason} happened",
        retryable=retryable,
        provider_status_code=503,
    )


async def _status(http: httpx.AsyncClient, token: str, draft_id: str, want: str) -> dict[str, Any]:
    async def probe() -> Any:
        return (await http.get(f"{BASE}/{draft_id}", headers=auth(token))).json()

    return await eventually(probe, lambda b: b.get("status") == want)


async def _result(
    bus: Bus, tenant: uuid.UUID, payload: Any, event_id: uuid.UUID | None = None
) -> Any:
    envelope = PO_SUBMISSION_RESULTS.envelope(
        payload, tenant_id=tenant, producer="connector-test", event_id=event_id or uuid.uuid4()
    )
    await bus.publish(PO_SUBMISSION_RESULTS, envelope)
    return envelope


async def test_exactly_once_sending_and_results(
    pg_url: str, kafka_bootstrap: str, keys_dir: Path, mint_token: Any, unique_name: str
) -> None:
    tenant = uuid.uuid4()
    planner = mint_token(tenant, ["planner"], user_id="pat")
    alice = mint_token(tenant, ["approver"], user_id="alice")
    bob = mint_token(tenant, ["approver"], user_id="bob")
    async with running(pg_url, kafka_bootstrap, keys_dir, unique_name, tenant, planner) as (
        _app,
        http,
        bus,
    ):
        made = await http.post(f"{BASE}/drafts", json={"supplier_id": "s1"}, headers=auth(planner))
        drafts = {d["location_id"]: d for d in made.json()["drafts"]}
        wh, shop = drafts["wh"]["draft_id"], drafts["shop"]["draft_id"]
        etag = (await http.get(f"{BASE}/{wh}", headers=auth(planner))).headers["etag"]

        assert (
            await http.post(f"{BASE}/{wh}/approve", headers=auth(planner, **{"If-Match": etag}))
        ).status_code == 403
        race = await asyncio.gather(
            http.post(f"{BASE}/{wh}/approve", headers=auth(alice, **{"If-Match": etag})),
            http.post(f"{BASE}/{wh}/approve", headers=auth(bob, **{"If-Match": etag})),
        )
        assert sorted(r.status_code for r in race) == [200, 412], [r.text for r in race]
        approved = next(r for r in race if r.status_code == 200).json()
        assert approved["status"] == "approved" and approved["allowed_actions"] == [
            "delete",
            "send",
            "reopen",
        ]

        no_conn = await http.post(f"{BASE}/{wh}/send", headers=auth(alice))
        assert no_conn.status_code == 409 and no_conn.json()["title"] == "No provider connection"
        connection = await bus.connect(tenant)

        async def connected() -> Any:
            return await http.post(
                f"{BASE}/{wh}/send", headers=auth(alice, **{"Idempotency-Key": "click"})
            )

        first = await eventually(connected, lambda r: r.status_code != 409)
        assert first.status_code == 200, first.text
        clicks = await asyncio.gather(
            *[http.post(f"{BASE}/{wh}/send", headers=auth(bob)) for _ in range(3)],
            http.post(f"{BASE}/{wh}/send", headers=auth(alice, **{"Idempotency-Key": "click"})),
        )
        assert [r.status_code for r in clicks] == [409, 409, 409, 200]
        assert clicks[3].json() == first.json()
        assert clicks[0].json()["current_status"] == "sending"

        (request,) = await bus.requests_for(tenant, 1)
        p = request.payload
        assert (p.attempt, p.connection_id, p.source, p.status) == (
            1,
            connection,
            "katana",
            "NOT_RECEIVED",
        )
        assert p.order_number == first.json()["order_number"] and len(p.lines) == 2
        assert p.lines[0].item_code is None and p.lines[0].purchase_uom_conversion_rate == 10

        result = await _result(bus, tenant, _submitted(request, "kat-1"))
        sent = await _status(http, planner, wh, "sent")
        assert (sent["provider_po_id"], sent["provider_po_number"]) == ("kat-1", p.order_number)
        await bus.publish(PO_SUBMISSION_RESULTS, result)
        await _result(bus, tenant, _submitted(request, "kat-2"))
        await _result(bus, tenant, _failed(request, retryable=True))

        async def audit() -> Any:
            return (await http.get(f"{BASE}/{wh}/audit", headers=auth(planner))).json()

        trail = await eventually(audit, lambda a: a[-1]["action"] == "conflicting_result")
        assert [a["action"] for a in trail] == [
            "created",
            "approved",
            "sent",
            "submitted",
            "conflicting_result",
        ]
        assert [a["actor"] for a in trail][:4] == ["pat", "alice", "alice", "connector-katana"]
        final = (await http.get(f"{BASE}/{wh}", headers=auth(planner))).json()
        assert final["status"] == "sent" and final["provider_po_id"] == "kat-1"
        assert [a["outcome"] for a in final["attempts"]] == ["submitted"]

        history = (await http.get(f"{BASE}/sent", headers=auth(planner))).json()
        assert [o["draft_id"] for o in history["items"]] == [wh]
        open_ids = [
            o["draft_id"] for o in (await http.get(BASE, headers=auth(planner))).json()["items"]
        ]
        assert wh not in open_ids and shop in open_ids

        # a retryable failure, a retry with the same submission and number, a stale replay
        etag = (await http.get(f"{BASE}/{shop}", headers=auth(planner))).headers["etag"]
        sending = await http.post(
            f"{BASE}/{shop}/approve",
            params={"send": "true"},
            headers=auth(bob, **{"If-Match": etag}),
        )
        assert sending.status_code == 200 and sending.json()["status"] == "sending"
        shop_req = [
            r for r in await bus.requests_for(tenant, 2) if str(r.payload.po_draft_id) == shop
        ]
        await _result(bus, tenant, _failed(shop_req[0], retryable=True))
        failed = await _status(http, planner, shop, "failed")
        assert failed["failure_reason"] == "provider_unavailable"
        assert failed["allowed_actions"] == ["retry", "reopen"]
        retried = await http.post(f"{BASE}/{shop}/send", headers=auth(bob))
        assert retried.status_code == 200 and retried.json()["attempt"] == 2
        second = [
            r for r in await bus.requests_for(tenant, 3) if str(r.payload.po_draft_id) == shop
        ]
        assert [r.payload.attempt for r in second] == [1, 2]
        assert second[1].payload.submission_id == second[0].payload.submission_id
        assert second[1].payload.order_number == second[0].payload.order_number
        await _result(bus, tenant, _failed(shop_req[0], retryable=True))
        await _result(bus, tenant, _submitted(second[1], "kat-3", found_existing=True))
        done = await _status(http, planner, shop, "sent")
        assert done["provider_po_id"] == "kat-3" and done["failure_reason"] is None
        assert [a["outcome"] for a in done["attempts"]] == ["failed", "submitted"]
        history = await http.get(
            f"{BASE}/sent", params={"sort": "order_number"}, headers=auth(planner)
        )
        assert history.json()["total"] == 2
        assert (await http.post(f"{BASE}/{shop}/send", headers=auth(bob))).status_code == 409


async def test_non_retryable_failure_needs_a_fix(
    pg_url: str, kafka_bootstrap: str, keys_dir: Path, mint_token: Any, unique_name: str
) -> None:
    tenant = uuid.uuid4()
    approver = mint_token(tenant, ["approver"], user_id="alice")
    async with running(pg_url, kafka_bootstrap, keys_dir, unique_name, tenant, approver) as (
        _app,
        http,
        bus,
    ):
        await bus.connect(tenant)
        made = await http.post(
            f"{BASE}/drafts",
            json={"supplier_id": "s1", "location_id": "wh"},
            headers=auth(approver),
        )
        draft = made.json()["drafts"][0]["draft_id"]
        url = f"{BASE}/{draft}"

        async def approve_and_send() -> Any:
            etag = (await http.get(url, headers=auth(approver))).headers["etag"]
            return await http.post(
                f"{url}/approve",
                params={"send": "true"},
                headers=auth(approver, **{"If-Match": etag}),
            )

        first = await eventually(approve_and_send, lambda r: r.status_code == 200)
        assert first.json()["status"] == "sending"
        (request,) = await bus.requests_for(tenant, 1)
        await _result(bus, tenant, _failed(request, retryable=False, reason="validation"))
        failed = await _status(http, approver, draft, "failed")
        assert failed["allowed_actions"] == ["reopen"] and failed["failure_retryable"] is False
        refused = await http.post(f"{url}/send", headers=auth(approver))
        assert refused.status_code == 409 and "reopen" in refused.json()["hint"]

        etag = (await http.get(url, headers=auth(approver))).headers["etag"]
        reopened = await http.post(f"{url}/reopen", headers=auth(approver, **{"If-Match": etag}))
        assert reopened.status_code == 200 and reopened.json()["status"] == "draft"
        line = reopened.json()["lines"][0]["line_id"]
        fixed = await http.patch(
            f"{url}/lines/{line}",
            json={"unit_price": "3"},
            headers=auth(approver, **{"If-Match": reopened.headers["etag"]}),
        )
        assert fixed.status_code == 200
        again = await approve_and_send()
        assert again.status_code == 200 and again.json()["attempt"] == 2
        requests = await bus.requests_for(tenant, 2)
        assert [r.payload.attempt for r in requests] == [1, 2]
        assert requests[1].payload.lines[0].unit_price == 3
        assert len({r.event_id for r in requests}) == 2
