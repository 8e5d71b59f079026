"""Sending to Katana under faults, through the real broker, Postgres and the sandbox:
connector-katana SIGKILLed after Katana stored the PO but before its result was written;
a 429 storm; 500s past the client's retries; a line Katana does not know
(re-validation). Each ends with exactly one PO at Katana and one Sent record, or a clear
Failed state."""

from __future__ import annotations

import asyncio
import signal
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from po_katana_support import (
    KEY,
    TENANT,
    katana,
    katana_app,
    katana_process,
    katana_settings,
)
from po_support import Scenario, auth, client, eventually, running
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from katana_sandbox.testing import RunningSandbox
from platform_kit.testing.servers import serve_app
from restock_contracts.envelope import derived_event_id

pytestmark = pytest.mark.asyncio
BASE = "/v1/purchase-orders"


def _scenario(sb: RunningSandbox, bad_variant: str | None = None) -> tuple[Scenario, list[str]]:
    """Katana's first three suppliers, one purchased variant each (the first also gets a
    variant Katana does not know, when asked), at Katana's first location."""
    with sb.client() as kc:
        suppliers = kc.get("/suppliers").json()["data"][:3]
        variants = [str(v["id"]) for v in kc.get("/variants").json()["data"][:3]]
        location = str(kc.get("/locations").json()["data"][0]["id"])
    plan = [(v, str(s["id"]), location, 0, 3.0) for v, s in zip(variants, suppliers, strict=True)]
    if bad_variant:
        plan.append((bad_variant, str(suppliers[0]["id"]), location, 0, 3.0))
    scenario = Scenario(
        plan=plan,
        suppliers=[(str(s["id"]), s["currency"]) for s in suppliers],
        tenant=TENANT,
    )
    return scenario, [str(s["id"]) for s in suppliers]


async def _connect(url: str, token: str) -> None:
    async with client(url) as cx:
        made = await cx.post("/connections", json={"api_key": KEY}, headers=auth(token))
        assert made.status_code == 201, made.text


async def _draft(http: httpx.AsyncClient, token: str, supplier: str) -> dict[str, Any]:
    made = await http.post(
        f"{BASE}/drafts",
        json={"supplier_id": supplier, "fx_rates": {"EUR": "1.8", "AUD": "1.1", "USD": "1.7"}},
        headers=auth(token),
    )
    assert made.status_code == 201, made.text
    (draft,) = made.json()["drafts"]
    return dict(draft)


async def _approve_and_send(http: httpx.AsyncClient, token: str, draft_id: str) -> None:
    url = f"{BASE}/{draft_id}"
    etag = (await http.get(url, headers=auth(token))).headers["etag"]

    async def attempt() -> Any:
        return await http.post(
            f"{url}/approve?send=true", headers=auth(token, **{"If-Match": etag})
        )

    sent = await eventually(attempt, lambda r: r.status_code == 200)
    assert sent.json()["status"] == "sending"


async def _until(http: httpx.AsyncClient, token: str, draft_id: str, status: str) -> Any:
    async def probe() -> Any:
        return (await http.get(f"{BASE}/{draft_id}", headers=auth(token))).json()

    return await eventually(probe, lambda b: b["status"] == status, timeout_s=90)


def _at_katana(sb: RunningSandbox, number: str) -> list[dict[str, Any]]:
    """POs at Katana with this order number (waits out a 429 the storm gives the test)."""
    with sb.client() as kc:
        for _ in range(20):
            listed = kc.get("/purchase_orders", params={"order_no": number, "limit": 250})
            if listed.status_code != 429:
                break
            time.sleep(1)
    return [p for p in listed.json()["data"] if p["order_no"] == number]


async def test_connector_killed_after_katana_stored_the_po(
    pg_url: str, kafka_bootstrap: str, keys_dir: Path, mint_token: Any, unique_name: str
) -> None:
    tenant = uuid.uuid4()
    token = mint_token(tenant, ["admin"], user_id="ada")
    with katana() as sb:
        scenario, suppliers = _scenario(sb)
        settings = katana_settings(
            sb,
            pg_url,
            kafka_bootstrap,
            keys_dir,
            f"{unique_name}_ck",
            po_lease_s=2.0,
            http_timeout_s=60.0,
        )
        async with running(
            pg_url, kafka_bootstrap, keys_dir, unique_name, tenant, token, scenario
        ) as (_app, http, _bus):
            draft = await _draft(http, token, suppliers[0])
            number = draft["order_number"]
            async with katana_process(settings) as (url, proc):
                await _connect(url, token)
                sb.set_faults(po_create_mode="delay", po_create_count=1, po_create_delay_s=30)
                await _approve_and_send(http, token, draft["draft_id"])
                for _ in range(300):
                    if await asyncio.to_thread(_at_katana, sb, number):
                        break
                    await asyncio.sleep(0.05)
                proc.send_signal(signal.SIGKILL)
                proc.wait(10)
            assert len(await asyncio.to_thread(_at_katana, sb, number)) == 1
            engine = create_async_engine(settings.service_database_url())
            async with engine.connect() as conn:
                state = (
                    await conn.execute(
                        text(
                            "select status, (select count(*) from outbox "
                            "where event_id = :result) from po_submission"
                        ),
                        {
                            "result": derived_event_id(
                                uuid.UUID(draft["submission_id"]), 1, "result"
                            )
                        },
                    )
                ).one()
            await engine.dispose()
            assert tuple(state) == ("posting", 0), "killed between the provider call and the event"
            still = (await http.get(f"{BASE}/{draft['draft_id']}", headers=auth(token))).json()
            assert still["status"] == "sending"

            sb.clear_faults()
            async with katana_process(settings):
                sent = await _until(http, token, draft["draft_id"], "sent")
            at_katana = await asyncio.to_thread(_at_katana, sb, number)
            assert len(at_katana) == 1 and sent["provider_po_id"] == str(at_katana[0]["id"])
            audit = (
                await http.get(f"{BASE}/{draft['draft_id']}/audit", headers=auth(token))
            ).json()
            submitted = [a for a in audit if a["action"] == "submitted"]
            assert len(submitted) == 1 and submitted[0]["details"]["found_existing"] is True
            history = (await http.get(f"{BASE}/sent", headers=auth(token))).json()
            assert [o["draft_id"] for o in history["items"]] == [draft["draft_id"]]


async def test_rate_limit_storm_outage_and_unknown_line(
    pg_url: str, kafka_bootstrap: str, keys_dir: Path, mint_token: Any, unique_name: str
) -> None:
    tenant = uuid.uuid4()
    token = mint_token(tenant, ["admin"], user_id="ada")
    with katana() as sb:
        scenario, suppliers = _scenario(sb, bad_variant="987654")
        settings = katana_settings(sb, pg_url, kafka_bootstrap, keys_dir, f"{unique_name}_ck")
        async with (
            running(pg_url, kafka_bootstrap, keys_dir, unique_name, tenant, token, scenario) as (
                _app,
                http,
                _bus,
            ),
            serve_app(katana_app(settings)) as url,
        ):
            await _connect(url, token)

            # a storm longer than the connector's own retries: Failed, retryable; retry → Sent
            stormy = await _draft(http, token, suppliers[1])
            sb.reset_stats()
            sb.set_faults(burst_429=9)
            await _approve_and_send(http, token, stormy["draft_id"])
            failed = await _until(http, token, stormy["draft_id"], "failed")
            assert failed["failure_retryable"] is True and "retry" in failed["allowed_actions"]
            assert await asyncio.to_thread(_at_katana, sb, stormy["order_number"]) == []
            retried = await http.post(f"{BASE}/{stormy['draft_id']}/send", headers=auth(token))
            assert retried.status_code == 200, retried.text
            sent = await _until(http, token, stormy["draft_id"], "sent")
            assert sb.stats()["total_429"] == 9
            made = await asyncio.to_thread(_at_katana, sb, stormy["order_number"])
            assert len(made) == 1 and sent["provider_po_id"] == str(made[0]["id"])

            # 500s past the client's retries: Failed, retryable (not left to the lease); retry
            outage = await _draft(http, token, suppliers[2])
            sb.set_faults(error_500=7)
            await _approve_and_send(http, token, outage["draft_id"])
            down = await _until(http, token, outage["draft_id"], "failed")
            assert (down["failure_reason"], down["failure_retryable"]) == (
                "provider_unavailable",
                True,
            )
            retried = await http.post(f"{BASE}/{outage['draft_id']}/send", headers=auth(token))
            assert retried.status_code == 200, retried.text
            back = await _until(http, token, outage["draft_id"], "sent")
            made = await asyncio.to_thread(_at_katana, sb, outage["order_number"])
            assert len(made) == 1 and back["provider_po_id"] == str(made[0]["id"])

            # a line Katana does not know: Failed, not retryable; reopen, fix, approve, send
            bad = await _draft(http, token, suppliers[0])
            await _approve_and_send(http, token, bad["draft_id"])
            refused = await _until(http, token, bad["draft_id"], "failed")
            assert (refused["failure_reason"], refused["failure_retryable"]) == ("not_found", False)
            assert "987654" in refused["failure_message"]
            assert refused["allowed_actions"] == ["reopen"]
            assert await asyncio.to_thread(_at_katana, sb, bad["order_number"]) == []
            url_bad = f"{BASE}/{bad['draft_id']}"
            etag = (await http.get(url_bad, headers=auth(token))).headers["etag"]
            reopened = await http.post(
                f"{url_bad}/reopen", headers=auth(token, **{"If-Match": etag})
            )
            assert reopened.status_code == 200, reopened.text
            line = next(x for x in reopened.json()["lines"] if x["variant_id"] == "987654")
            removed = await http.delete(
                f"{url_bad}/lines/{line['line_id']}",
                headers=auth(token, **{"If-Match": reopened.headers["etag"]}),
            )
            assert removed.status_code in (200, 204), removed.text
            await _approve_and_send(http, token, bad["draft_id"])
            fixed = await _until(http, token, bad["draft_id"], "sent")
            made = await asyncio.to_thread(_at_katana, sb, bad["order_number"])
            assert len(made) == 1 and fixed["provider_po_id"] == str(made[0]["id"])
            assert [str(r["variant_id"]) for r in made[0]["purchase_order_rows"]] == [
                scenario.plan[0][0]
            ]
