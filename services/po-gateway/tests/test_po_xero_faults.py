"""Sending to Xero under faults, through the real broker, Postgres and the Xero sandbox:
a 429 storm (the connector waits it out: one PO, one Sent) and a line Xero refuses
(validation, not retryable: reopen, remove it, approve and send: one PO)."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from po_support import Scenario, auth, client, eventually, running
from po_xero_support import connect_xero, xero_connector

from platform_kit.testing.servers import serve_app
from xero_sandbox.testing import fast_config, running_sandbox

pytestmark = pytest.mark.asyncio
BASE = "/v1/purchase-orders"
TENANT = {
    "name": "Kiwi",
    "time_zone": "Pacific/Auckland",
    "base_currency": "NZD",
    "primary_source": "xero",
}


async def _send(http: httpx.AsyncClient, token: str, draft_id: str) -> dict[str, Any]:
    url = f"{BASE}/{draft_id}"
    etag = (await http.get(url, headers=auth(token))).headers["etag"]

    async def approve_and_send() -> Any:
        return await http.post(
            f"{url}/approve?send=true", headers=auth(token, **{"If-Match": etag})
        )

    sent = await eventually(approve_and_send, lambda r: r.status_code != 409)
    assert sent.status_code == 200, sent.text

    async def probe() -> Any:
        return (await http.get(url, headers=auth(token))).json()

    return dict(await eventually(probe, lambda b: b["status"] in ("sent", "failed"), 90))


def _at_xero(sb: Any, number: str) -> list[dict[str, Any]]:
    listed = sb.admin("GET", "/purchase-orders")["PurchaseOrders"]
    return [p for p in listed if p["PurchaseOrderNumber"] == number]


async def test_xero_rate_limit_storm_and_refused_line(
    pg_url: str, kafka_bootstrap: str, keys_dir: Path, mint_token: Any, unique_name: str
) -> None:
    tenant = uuid.uuid4()
    token = mint_token(tenant, ["admin"], user_id="ada")
    with running_sandbox(fast_config()) as sb:
        org = sb.sandbox.orgs[sb.tenant_ids[0]]
        suppliers = [c for c in org.collections["Contacts"].values() if c.get("IsSupplier")][:2]
        items = [i for i in org.collections["Items"].values() if i.get("IsTrackedAsInventory")][:2]
        location = sb.tenant_ids[0]
        stormy_supplier, refused_supplier = (s["ContactID"] for s in suppliers)
        scenario = Scenario(
            plan=[
                (items[0]["ItemID"], stormy_supplier, location, 0, 2.0),
                (items[1]["ItemID"], refused_supplier, location, 0, 2.0),
                ("not-at-xero", refused_supplier, location, 0, 2.0),
            ],
            suppliers=[(stormy_supplier, "NZD"), (refused_supplier, "NZD")],
            tenant=TENANT,
            codes={
                items[0]["ItemID"]: items[0]["Code"],
                items[1]["ItemID"]: items[1]["Code"],
                "not-at-xero": "NO-SUCH-ITEM",
            },
        )
        connector = xero_connector(sb, pg_url, kafka_bootstrap, keys_dir, f"{unique_name}_cx")
        async with (
            serve_app(connector) as cx_url,
            client(cx_url) as cx,
            running(pg_url, kafka_bootstrap, keys_dir, unique_name, tenant, token, scenario) as (
                _app,
                http,
                _bus,
            ),
        ):
            await connect_xero(cx, token, sb)
            made = await http.post(f"{BASE}/drafts", json={}, headers=auth(token))
            assert made.status_code == 201, made.text
            drafts = {d["supplier_id"]: d for d in made.json()["drafts"]}
            stormy, refused = drafts[stormy_supplier], drafts[refused_supplier]
            await asyncio.to_thread(
                sb.admin, "POST", "/faults", {"burst_429": 10, "burst_429_retry_after": 1}
            )
            done = await _send(http, token, stormy["draft_id"])
            assert done["status"] == "sent", done
            at_xero = await asyncio.to_thread(_at_xero, sb, stormy["order_number"])
            assert len(at_xero) == 1 and done["provider_po_id"] == at_xero[0]["PurchaseOrderID"]
            faults = await asyncio.to_thread(sb.admin, "GET", "/faults")
            assert faults["burst_429"] == 0, "the storm was served"

            failed = await _send(http, token, refused["draft_id"])
            assert failed["status"] == "failed", failed
            assert (failed["failure_reason"], failed["failure_retryable"]) == ("validation", False)
            assert failed["allowed_actions"] == ["reopen"]
            assert await asyncio.to_thread(_at_xero, sb, refused["order_number"]) == []
            url = f"{BASE}/{refused['draft_id']}"
            etag = (await http.get(url, headers=auth(token))).headers["etag"]
            reopened = await http.post(f"{url}/reopen", headers=auth(token, **{"If-Match": etag}))
            assert reopened.status_code == 200, reopened.text
            bad = next(x for x in reopened.json()["lines"] if x["variant_id"] == "not-at-xero")
            removed = await http.delete(
                f"{url}/lines/{bad['line_id']}",
                headers=auth(token, **{"If-Match": reopened.headers["etag"]}),
            )
            assert removed.status_code in (200, 204), removed.text
            fixed = await _send(http, token, refused["draft_id"])
            assert fixed["status"] == "sent", fixed
            at_xero = await asyncio.to_thread(_at_xero, sb, refused["order_number"])
            assert len(at_xero) == 1
            assert [li["ItemCode"] for li in at_xero[0]["LineItems"]] == [items[1]["Code"]]
