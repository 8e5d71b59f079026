"""Webhooks: signature check, dedupe, coalescing, re-read by id within the budget."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import uuid
from typing import Any

import httpx
import pytest
from ck_support import Api, connector, outbox, sql

from platform_kit.infra import free_port

pytestmark = pytest.mark.asyncio


async def test_webhook_burst_of_100_events_is_coalesced_and_stays_in_budget(
    sandbox: Any, make_settings: Any, mint_token: Any, tenant: uuid.UUID
) -> None:
    port = free_port()
    settings = make_settings(
        sandbox, public_base_url=f"http://127.0.0.1:{port}", webhook_coalesce_s=1.0
    )
    with sandbox.client() as kc:
        products = [
            p for p in kc.get("/products", params={"limit": 250}).json()["data"] if p["variants"]
        ][:5]
    async with connector(settings, port=port) as (base, _app):
        api = Api(base, mint_token(tenant))
        conn = await api.connect()
        assert conn["webhook_registered"]
        await api.wait_job((await api.load(conn["connection_id"], entities=["products"]))["job_id"])
        sandbox.reset_stats()
        await asyncio.gather(
            *(
                asyncio.to_thread(
                    sandbox.mutate, "PATCH", "products", p["id"], {"name": f"Hooked {p['id']}"}
                )
                for p in (products[i % len(products)] for i in range(100))
            )
        )
        for _ in range(100):
            deliveries = await asyncio.to_thread(sandbox.webhook_deliveries)
            ok = [d for d in deliveries if d.get("status") == 200]
            pending = await sql(settings, "select count(*) as n from webhook_pending")
            if len(ok) >= 100 and pending[0].n == 0:
                break
            await asyncio.sleep(0.2)
        await asyncio.sleep(0.5)
        await api.close()
    stats = sandbox.stats()
    assert stats["total_429"] == 0
    assert stats["total_requests"] <= 6, stats
    rows = await outbox(settings)
    hooked = [
        r
        for row in rows
        if row["event_type"] == "catalog.skus_changed"
        and row["envelope"]["payload"]["mode"] == "webhook"
        for r in row["envelope"]["payload"]["records"]
    ]
    want = {str(v["id"]) for p in products for v in p["variants"]}
    assert {r["variant_id"] for r in hooked} == want
    assert all(r["name"].startswith("Hooked") for r in hooked)
    assert len(hooked) == len(want), "coalesced: each SKU published once"


async def test_webhook_signature_dedupe_and_unknown_urls(
    sandbox: Any, make_settings: Any, mint_token: Any, tenant: uuid.UUID
) -> None:
    port = free_port()
    settings = make_settings(
        sandbox, public_base_url=f"http://127.0.0.1:{port}", webhook_coalesce_s=30.0
    )
    async with connector(settings, port=port) as (base, _app):
        api = Api(base, mint_token(tenant))
        conn = await api.connect()
        await api.close()
        with sandbox.client() as kc:
            token = kc.get("/webhooks").json()["data"][0]["token"]
        body = json.dumps(
            {
                "resource_type": "sales_order",
                "action": "sales_order.updated",
                "webhook_id": 1,
                "object": {"id": 5, "href": "http://evil.example/x"},
            }
        )
        good = hmac.new(token.encode(), body.encode(), hashlib.sha256).hexdigest()
        async with httpx.AsyncClient(base_url=base) as http:
            url = conn["webhook_url"].replace(f"http://127.0.0.1:{port}", "")
            bad = await http.post(url, content=body, headers={"x-sha2-signature": "00" * 32})
            missing = await http.post(url, content=body)
            first = await http.post(url, content=body, headers={"x-sha2-signature": good})
            again = await http.post(url, content=body, headers={"x-sha2-signature": good})
            unknown = await http.post(
                "/webhooks/katana/nope", content=body, headers={"x-sha2-signature": good}
            )
    assert (bad.status_code, missing.status_code) == (401, 401)
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert first.json() == {"status": "queued"} and again.json() == {"status": "duplicate"}
    assert unknown.status_code == 404
    pending = await sql(settings, "select entity, provider_id from webhook_pending")
    assert [(p.entity, p.provider_id) for p in pending] == [("sales_orders", "5")]
