"""Webhooks (signature, intent-to-receive, delivery, retries) and admin data mutations."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from xero_sandbox.config import Timings
from xero_sandbox.testing import RunningSandbox, fast_config, running_sandbox

KEY = "webhook-signing-key-123"


class Receiver:
    """A webhook endpoint that checks signatures the way Xero asks integrators to."""

    def __init__(self) -> None:
        self.mode = "honest"
        self.fail_next = 0
        self.payloads: list[dict[str, Any]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                expected = base64.b64encode(
                    hmac.new(KEY.encode(), body, hashlib.sha256).digest()
                ).decode()
                valid = hmac.compare_digest(expected, self.headers.get("x-xero-signature", ""))
                status = 200 if valid or receiver.mode == "always-200" else 401
                if valid and receiver.fail_next > 0:
                    receiver.fail_next -= 1
                    status = 503
                if valid and status == 200:
                    receiver.payloads.append(json.loads(body))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/xero/webhooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def events(self) -> list[dict[str, Any]]:
        return [e for p in self.payloads for e in p["events"]]

    def wait_events(self, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while len(self.events()) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.events()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.server.shutdown()
    r.server.server_close()


@pytest.fixture
def hooked() -> Iterator[RunningSandbox]:
    timings = Timings(webhook_batch=0.05, webhook_retries=(0.1, 0.1))
    with running_sandbox(fast_config(timings=timings)) as sb:
        yield sb


def test_intent_to_receive_passes_only_for_honest_endpoints(
    hooked: RunningSandbox, receiver: Receiver
) -> None:
    receiver.mode = "always-200"
    lazy = hooked.admin("POST", "/webhooks", {"url": receiver.url, "key": KEY})
    assert lazy["passed"] is False
    assert {a["signedCorrectly"] for a in lazy["attempts"]} == {True, False}
    receiver.mode = "honest"
    honest = hooked.admin("POST", "/webhooks/intent-to-receive", {})
    assert honest["passed"] is True
    assert honest["status"] == "OK"
    assert receiver.payloads == [] or all(p["events"] == [] for p in receiver.payloads)


def test_invoice_and_contact_changes_are_delivered_signed(
    hooked: RunningSandbox, receiver: Receiver
) -> None:
    assert hooked.admin("POST", "/webhooks", {"url": receiver.url, "key": KEY})["passed"]
    receiver.payloads.clear()
    tenant = hooked.tenant_ids[0]
    contact = hooked.admin("POST", f"/tenants/{tenant}/contacts", {"Name": "New Customer Ltd"})
    code = next(iter(hooked.sandbox.orgs[tenant].collections["Items"].values()))["Code"]
    invoice = hooked.admin(
        "POST",
        f"/tenants/{tenant}/invoices",
        {
            "ContactID": contact["ContactID"],
            "LineItems": [{"ItemCode": code, "Quantity": 2, "UnitAmount": 9}],
        },
    )
    hooked.admin("POST", f"/tenants/{tenant}/invoices/{invoice['InvoiceID']}/void")
    events = receiver.wait_events(3)
    kinds = [(e["eventCategory"], e["eventType"], e["resourceId"]) for e in events]
    assert ("CONTACT", "CREATE", contact["ContactID"]) in kinds
    assert ("INVOICE", "CREATE", invoice["InvoiceID"]) in kinds
    assert ("INVOICE", "UPDATE", invoice["InvoiceID"]) in kinds
    assert all(e["tenantId"] == tenant and e["tenantType"] == "ORGANISATION" for e in events)
    assert events[0]["resourceUrl"].endswith(events[0]["resourceId"])
    first = receiver.payloads[0]
    assert set(first) == {"events", "firstEventSequence", "lastEventSequence", "entropy"}
    assert first["firstEventSequence"] == 1


def test_failed_deliveries_are_retried(hooked: RunningSandbox, receiver: Receiver) -> None:
    assert hooked.admin("POST", "/webhooks", {"url": receiver.url, "key": KEY})["passed"]
    receiver.fail_next = 2
    tenant = hooked.tenant_ids[0]
    hooked.admin("POST", f"/tenants/{tenant}/contacts", {"Name": "Retry Me Ltd"})
    assert len(receiver.wait_events(1)) == 1
    attempts = [d["attempt"] for d in hooked.admin("GET", "/webhooks")["deliveries"]]
    assert attempts == [1, 2, 3]


def test_incremental_sync_sees_admin_changes_and_hard_deletes(sandbox: RunningSandbox) -> None:
    token = sandbox.connect()
    tenant = sandbox.tenant_ids[0]
    headers = sandbox.api_headers(token, tenant)
    now = sandbox.admin("GET", "/clock")["now"][:19]
    sandbox.advance(60)
    before = sandbox.http.get(
        f"{sandbox.api_url}/Invoices", headers={**headers, "If-Modified-Since": now}
    ).json()
    assert before["Invoices"] == []
    victim = sandbox.http.get(
        f"{sandbox.api_url}/Invoices", params={"Statuses": "AUTHORISED"}, headers=headers
    ).json()
    invoice_id = victim["Invoices"][0]["InvoiceID"]
    sandbox.admin("POST", f"/tenants/{tenant}/invoices/{invoice_id}/void")
    after = sandbox.http.get(
        f"{sandbox.api_url}/Invoices", headers={**headers, "If-Modified-Since": now}
    ).json()
    assert [(i["InvoiceID"], i["Status"]) for i in after["Invoices"]] == [(invoice_id, "VOIDED")]
    items = sandbox.http.get(f"{sandbox.api_url}/Items", headers=headers).json()["Items"]
    sandbox.admin("POST", f"/tenants/{tenant}/items/{items[0]['ItemID']}", {"QuantityOnHand": 99})
    changed = sandbox.http.get(
        f"{sandbox.api_url}/Items", headers={**headers, "If-Modified-Since": now}
    ).json()
    assert [(i["ItemID"], i["QuantityOnHand"]) for i in changed["Items"]] == [
        (items[0]["ItemID"], 99)
    ]
    sandbox.admin("DELETE", f"/tenants/{tenant}/items/{items[1]['ItemID']}")
    remaining = sandbox.http.get(f"{sandbox.api_url}/Items", headers=headers).json()["Items"]
    assert {i["ItemID"] for i in remaining} == {i["ItemID"] for i in items} - {items[1]["ItemID"]}


def test_archived_contacts_hidden_unless_requested(sandbox: RunningSandbox) -> None:
    token = sandbox.connect()
    tenant = sandbox.tenant_ids[0]
    headers = sandbox.api_headers(token, tenant)
    contact = sandbox.admin("POST", f"/tenants/{tenant}/contacts", {"Name": "Old Supplier"})
    sandbox.admin("POST", f"/tenants/{tenant}/contacts/{contact['ContactID']}/archive")
    visible = sandbox.http.get(f"{sandbox.api_url}/Contacts", headers=headers).json()["Contacts"]
    everything = sandbox.http.get(
        f"{sandbox.api_url}/Contacts", params={"includeArchived": "true"}, headers=headers
    ).json()["Contacts"]
    assert contact["ContactID"] not in {c["ContactID"] for c in visible}
    assert contact["ContactID"] in {c["ContactID"] for c in everything}
