import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from katana_sandbox.testing import running_sandbox
from restock_demodata import DatasetSpec


class Receiver:
    def __init__(self, fail_first=0):
        self.calls = []
        self.fail_first = fail_first
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["content-length"]))
                outer.calls.append((dict(self.headers), body))
                status = 500 if len(outer.calls) <= outer.fail_first else 200
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def wait(self, n, timeout=5.0):
        end = time.monotonic() + timeout
        while len(self.calls) < n and time.monotonic() < end:
            time.sleep(0.02)
        return self.calls

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver(fail_first=2)
    yield r
    r.close()


def test_webhook_signed_thin_event_with_retries(sandbox, client, receiver):
    hook = client.post(
        "/webhooks",
        json={
            "url": receiver.url,
            "subscribed_events": ["purchase_order.created", "variant.deleted"],
        },
    ).json()
    assert client.get(f"/webhooks/{hook['id']}").json()["url"] == receiver.url
    po = client.post(
        "/purchase_orders",
        json={
            "supplier_id": 1,
            "location_id": 1,
            "purchase_order_rows": [{"variant_id": 1, "quantity": 1, "price_per_unit": 1}],
        },
    ).json()
    calls = receiver.wait(3)
    assert len(calls) == 3
    headers, body = calls[-1]
    want = hmac.new(hook["token"].encode(), body, hashlib.sha256).hexdigest()
    assert headers["x-sha2-signature"] == want
    assert headers["X-Katana-Retry-Num"] == "2"
    event = json.loads(body)
    assert event == {
        "resource_type": "purchase_order",
        "action": "purchase_order.created",
        "webhook_id": hook["id"],
        "object": {
            "id": po["id"],
            "status": "NOT_RECEIVED",
            "href": f"{sandbox.base_url}/purchase_orders/{po['id']}",
        },
    }
    sandbox.mutate("DELETE", "variants", 2)
    deleted = json.loads(receiver.wait(4)[3][1])
    assert deleted["action"] == "variant.deleted"
    assert "href" not in deleted["object"]
    assert client.patch(f"/webhooks/{hook['id']}", json={"enabled": False}).status_code == 200
    sandbox.mutate("DELETE", "variants", 3)
    time.sleep(0.2)
    assert len(receiver.calls) == 4
    assert client.delete(f"/webhooks/{hook['id']}").status_code == 204
    assert any(d["status"] == 500 for d in sandbox.webhook_deliveries())


def test_rate_limit_headers_and_429(dataset):
    with running_sandbox(
        accounts={"k": DatasetSpec(seed=3, skus=40, years=0.5)},
        dataset=dataset,
        rate_limit=60,
        rate_window_s=3.0,
    ) as sb:
        with sb.client() as c:
            codes = []
            for _ in range(70):
                r = c.get("/locations")
                codes.append(r.status_code)
                if r.status_code == 429:
                    last = r
            assert codes[:60] == [200] * 60
            assert 429 in codes[60:]
            assert last.json() == {
                "statusCode": 429,
                "name": "TooManyRequests",
                "message": "Too Many Requests",
            }
            assert int(last.headers["Retry-After"]) >= 1
            time.sleep(3.05)
            r = c.get("/locations")
            assert r.status_code == 200
            assert r.headers["X-Ratelimit-Limit"] == "60"
            assert r.headers["X-Ratelimit-Remaining"] == "59"
            assert int(r.headers["X-Ratelimit-Reset"]) > time.time() * 1000
        stats = sb.stats()
        assert stats["throttled_429"]["k"] >= 1
        assert stats["requests"]["k"] >= 71


def test_fault_burst_429_and_500(sandbox, client):
    sandbox.set_faults(burst_429=2, error_500=1)
    r = client.get("/products")
    assert r.status_code == 500
    assert r.json()["name"] == "InternalServerError"
    assert [client.get("/products").status_code for _ in range(3)] == [429, 429, 200]
    sandbox.set_faults(error_500_rate=1.0)
    assert client.get("/products").status_code == 500
    sandbox.clear_faults()
    assert client.get("/products").status_code == 200


def test_fault_delay_and_drop(sandbox, client):
    sandbox.set_faults(delay_s=0.3)
    t = time.monotonic()
    assert client.get("/locations").status_code == 200
    assert time.monotonic() - t >= 0.3
    sandbox.set_faults(delay_s=0.0, drop=1)
    with pytest.raises(httpx.RemoteProtocolError):
        client.get("/locations")
    assert client.get("/locations").status_code == 200


def test_po_created_then_connection_dropped_or_timed_out(sandbox, client):
    body = {
        "supplier_id": 1,
        "location_id": 1,
        "order_no": "PO-LOST-1",
        "purchase_order_rows": [{"variant_id": 1, "quantity": 1, "price_per_unit": 1}],
    }
    sandbox.set_faults(po_create_mode="drop", po_create_count=1)
    with pytest.raises(httpx.RemoteProtocolError):
        client.post("/purchase_orders", json=body)
    found = client.get("/purchase_orders", params={"order_no": "PO-LOST-1"}).json()["data"]
    assert len(found) == 1
    sandbox.set_faults(po_create_mode="delay", po_create_count=1, po_create_delay_s=1.0)
    with pytest.raises(httpx.ReadTimeout):
        client.post("/purchase_orders", json=dict(body, order_no="PO-LOST-2"), timeout=0.3)
    time.sleep(0.8)
    assert client.get("/purchase_orders", params={"order_no": "PO-LOST-2"}).json()["data"]
