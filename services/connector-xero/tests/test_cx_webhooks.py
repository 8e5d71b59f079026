"""Xero webhooks: intent-to-receive through the sandbox, signature checks, routing by
tenantId and coalesced incremental re-reads of only the affected records."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

import pytest
from cx_support import WEBHOOK_KEY, connect, outbox, records, run_load, scalar, service

from restock_contracts.topics import SALES_LINES
from xero_sandbox.testing import fast_config, running_sandbox

pytestmark = pytest.mark.asyncio


def sign(body: bytes, key: str = WEBHOOK_KEY) -> str:
    return base64.b64encode(hmac.new(key.encode(), body, hashlib.sha256).digest()).decode()


async def test_webhooks_validate_route_and_coalesce(
    pg_url: str, kafka_bootstrap: str, keys_dir: Path, mint_token: Any, unique_name: str
) -> None:
    with running_sandbox(fast_config()) as sb:
        tenant = sb.tenant_ids[0]
        async with service(
            sb, pg_url, kafka_bootstrap, keys_dir, unique_name, mint_token, webhook_coalesce_s=1.0
        ) as svc:
            _, connection_id = await connect(svc, sb)
            assert (await run_load(svc, connection_id, "full"))["status"] == "succeeded"

            itr = json.dumps(
                {"events": [], "firstEventSequence": 0, "lastEventSequence": 0, "entropy": "X"}
            ).encode()
            bad = await svc.http.post(
                "/webhooks/xero", content=itr, headers={"x-xero-signature": sign(itr, "wrong")}
            )
            assert bad.status_code == 401 and bad.content == b""
            missing = await svc.http.post("/webhooks/xero", content=itr)
            assert missing.status_code == 401
            good = await svc.http.post(
                "/webhooks/xero", content=itr, headers={"x-xero-signature": sign(itr)}
            )
            assert good.status_code == 200 and good.content == b""

            # intent-to-receive run by the sandbox: fails with the wrong key, passes with ours
            url = f"{svc.url}/webhooks/xero"
            wrong = await asyncio.to_thread(
                sb.admin, "POST", "/webhooks", {"url": url, "key": "not-our-key"}
            )
            right = await asyncio.to_thread(
                sb.admin, "POST", "/webhooks", {"url": url, "key": WEBHOOK_KEY}
            )
            assert json.dumps(wrong).count('"OK"') < json.dumps(right).count('"OK"'), (wrong, right)
            subs = await asyncio.to_thread(sb.admin, "GET", "/webhooks")
            assert "OK" in json.dumps(subs)

            # two updates of one invoice inside the coalescing window -> one re-read
            org = sb.sandbox.orgs[tenant]
            invoice = next(
                i
                for i in org.collections["Invoices"].values()
                if i["Type"] == "ACCREC" and i["Status"] == "AUTHORISED"
            )
            before = len(await outbox(svc, SALES_LINES.name))
            await asyncio.to_thread(sb.admin, "DELETE", "/stats")
            await asyncio.to_thread(
                sb.admin,
                "POST",
                f"/tenants/{tenant}/invoices/{invoice['InvoiceID']}",
                {"Reference": "first"},
            )
            await asyncio.to_thread(
                sb.admin,
                "POST",
                f"/tenants/{tenant}/invoices/{invoice['InvoiceID']}",
                {"Status": "PAID"},
            )
            for _ in range(100):
                new = (await outbox(svc, SALES_LINES.name))[before:]
                if new:
                    break
                await asyncio.sleep(0.1)
            assert new, "the webhook led to a re-read"
            lines = records(new)
            assert {line.order_id for line in lines} == {invoice["InvoiceID"]}
            assert all(line.raw_status == "PAID" for line in lines)
            assert all(e.payload.mode == "webhook" and e.payload.sync_id is None for e in new)
            stats = await asyncio.to_thread(sb.admin, "GET", "/stats")
            assert stats["calls_per_tenant"].get(tenant) == 1, (
                "coalesced into one affected-records read"
            )
            assert await scalar(svc, "select count(*) from webhook_pending") == 0

            # events for organisations nobody connected are acknowledged and ignored
            foreign = json.dumps(
                {
                    "events": [
                        {
                            "resourceUrl": "https://evil.example/x",
                            "resourceId": invoice["InvoiceID"],
                            "eventDateUtc": "2026-01-01T00:00:00",
                            "eventType": "UPDATE",
                            "eventCategory": "INVOICE",
                            "tenantId": "00000000-0000-0000-0000-000000000001",
                            "tenantType": "ORGANISATION",
                        }
                    ],
                    "firstEventSequence": 1,
                    "lastEventSequence": 1,
                    "entropy": "Y",
                }
            ).encode()
            ok = await svc.http.post(
                "/webhooks/xero", content=foreign, headers={"x-xero-signature": sign(foreign)}
            )
            assert ok.status_code == 200
            assert await scalar(svc, "select count(*) from webhook_pending") == 0
