"""connector-xero as a real process, SIGKILLed after Xero stored the PO (its answer hangs)
and before the connector wrote the result; a new process takes the submission over after
the lease and finds the PO by number: one PO at Xero, one Sent record."""

from __future__ import annotations

import asyncio
import signal
import uuid
from pathlib import Path
from typing import Any

import pytest
from po_support import Scenario, auth, client, eventually, running
from po_xero_support import connect_xero, xero_process, xero_settings
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from restock_contracts.envelope import derived_event_id
from xero_sandbox.testing import fast_config, running_sandbox

pytestmark = pytest.mark.asyncio
BASE = "/v1/purchase-orders"
TENANT = {
    "name": "Kiwi",
    "time_zone": "Pacific/Auckland",
    "base_currency": "NZD",
    "primary_source": "xero",
}


def _at_xero(sb: Any, number: str) -> list[dict[str, Any]]:
    listed = sb.admin("GET", "/purchase-orders")["PurchaseOrders"]
    return [p for p in listed if p["PurchaseOrderNumber"] == number]


async def test_xero_connector_killed_after_xero_stored_the_po(
    pg_url: str, kafka_bootstrap: str, keys_dir: Path, mint_token: Any, unique_name: str
) -> None:
    tenant = uuid.uuid4()
    token = mint_token(tenant, ["admin"], user_id="ada")
    with running_sandbox(fast_config()) as sb:
        org = sb.sandbox.orgs[sb.tenant_ids[0]]
        supplier = next(c for c in org.collections["Contacts"].values() if c.get("IsSupplier"))
        items = [i for i in org.collections["Items"].values() if i.get("IsTrackedAsInventory")][:2]
        location = sb.tenant_ids[0]
        scenario = Scenario(
            plan=[(i["ItemID"], supplier["ContactID"], location, 0, 2.0) for i in items],
            suppliers=[(supplier["ContactID"], "NZD")],
            tenant=TENANT,
            codes={i["ItemID"]: i["Code"] for i in items},
        )
        settings = xero_settings(
            sb, pg_url, kafka_bootstrap, keys_dir, f"{unique_name}_cx", po_lease_s=2.0
        )
        async with running(
            pg_url, kafka_bootstrap, keys_dir, unique_name, tenant, token, scenario
        ) as (_app, http, _bus):
            made = await http.post(f"{BASE}/drafts", json={}, headers=auth(token))
            (draft,) = made.json()["drafts"]
            url = f"{BASE}/{draft['draft_id']}"
            number = draft["order_number"]
            async with xero_process(settings) as (cx_url, proc):
                async with client(cx_url) as cx:
                    await connect_xero(cx, token, sb)
                await asyncio.to_thread(
                    sb.admin,
                    "POST",
                    "/faults",
                    {"timeout_after_po_create": 1, "timeout_hang_seconds": 30},
                )
                etag = (await http.get(url, headers=auth(token))).headers["etag"]

                async def approve_and_send() -> Any:
                    return await http.post(
                        f"{url}/approve?send=true", headers=auth(token, **{"If-Match": etag})
                    )

                sent = await eventually(approve_and_send, lambda r: r.status_code != 409)
                assert sent.status_code == 200, sent.text
                for _ in range(300):
                    if await asyncio.to_thread(_at_xero, sb, number):
                        break
                    await asyncio.sleep(0.05)
                proc.send_signal(signal.SIGKILL)
                proc.wait(10)
            assert len(await asyncio.to_thread(_at_xero, sb, number)) == 1
            engine = create_async_engine(settings.service_database_url())
            async with engine.connect() as conn:
                state = (
                    await conn.execute(
                        text(
                            "select status, puts_sent, (select count(*) from outbox where "
                            "event_id = :result) from po_submission"
                        ),
                        {
                            "result": derived_event_id(
                                uuid.UUID(draft["submission_id"]), 1, "result"
                            )
                        },
                    )
                ).one()
            await engine.dispose()
            assert tuple(state) == ("pending", 1, 0), "killed between the PUT and the event"
            assert (await http.get(url, headers=auth(token))).json()["status"] == "sending"

            async with xero_process(settings):

                async def probe() -> Any:
                    return (await http.get(url, headers=auth(token))).json()

                done = await eventually(probe, lambda b: b["status"] == "sent", timeout_s=90)
            at_xero = await asyncio.to_thread(_at_xero, sb, number)
            assert len(at_xero) == 1 and done["provider_po_id"] == at_xero[0]["PurchaseOrderID"]
            audit = (await http.get(f"{url}/audit", headers=auth(token))).json()
            submitted = [a for a in audit if a["action"] == "submitted"]
            assert len(submitted) == 1 and submitted[0]["details"]["found_existing"] is True
