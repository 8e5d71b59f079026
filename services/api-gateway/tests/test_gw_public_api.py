"""The public API end to end over one served stack (all six services, the Katana sandbox,
real Postgres and broker): the allowlist, the tenant-isolation walk over every operation
of the merged OpenAPI document, role checks, header relaying and a bounded Schemathesis
run against ``/api/v1/openapi.json``."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from gw_public_stack import Stack, running_stack
from gw_support import bearer

from api_gateway.domain.routes import PUBLIC_API

pytestmark = pytest.mark.asyncio(loop_scope="module")
SNAPSHOT = Path(__file__).resolve().parents[1] / "src" / "api_gateway" / "public_openapi.json"
DOCUMENT = json.loads(SNAPSHOT.read_text())
OPERATIONS = [
    (method.upper(), path, op)
    for path, ops in DOCUMENT["paths"].items()
    for method, op in ops.items()
]
ANY_USER_WRITES = {("POST", "/api/v1/api-keys"), ("DELETE", "/api/v1/api-keys/{key_id}")}
"""Writes every signed-in user may make (on their own keys)."""


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def stack(
    pg_url: str, kafka_bootstrap: str, keys_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Stack]:
    async with running_stack(
        pg_url, kafka_bootstrap, keys_dir, tmp_path_factory.mktemp("gwp")
    ) as s:
        yield s


def _fill(path: str, ids: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: ids.get(m.group(1), str(uuid.uuid4())), path)


def _example(op: dict[str, Any]) -> Any:
    content = op.get("requestBody", {}).get("content", {})
    for media, entry in content.items():
        if "json" in media:
            return entry.get("example", {})
    return None


REFUSED = (403, 404, 409, 412, 422, 428)
OWN_SCOPE_WRITES = {
    ("PATCH", "/api/v1/settings/products/{variant_id}"),
    ("PATCH", "/api/v1/settings/suppliers/{supplier_id}"),
}
"""The planner keeps settings per tenant for any product or supplier id (they may be set
before the data arrives): writing below B's id makes A's own scope, never B's (checked
after the walk)."""


def _empty(body: Any) -> bool:
    """A list (or settings scope) below someone else's id may answer, but only empty."""
    if isinstance(body, dict) and "items" in body:
        return not body["items"]
    if isinstance(body, dict) and "values" in body:
        return body["values"] == {} and body.get("version") == 0
    return body == []


def _leaks(response: Any, markers: list[str]) -> list[str]:
    """B's markers in an answer that the request did not carry itself (an error may echo
    the id it was asked about)."""
    request = response.request
    echo = str(request.url) + request.content.decode(errors="replace")
    return [m for m in markers if m and m in response.text and m not in echo]


async def test_allowlist_and_401_without_a_token(stack: Stack) -> None:
    http = stack.gw.http
    checked = 0
    for method, path, op in OPERATIONS:
        response = await http.request(method, _fill(path, {}), json=_example(op))
        if (method, path) in PUBLIC_API:
            assert op["security"] == [], (method, path)
            assert "Authentication required" not in response.text, (method, path)
        else:
            assert op["security"] == [{"bearer": []}], (method, path)
            assert response.status_code == 401, (method, path, response.text)
            assert response.headers["content-type"] == "application/problem+json"
            checked += 1
    assert checked >= 60
    assert (await http.get("/api/v1/openapi.json")).json() == DOCUMENT
    unknown = await http.get("/api/v1/nothing-here")
    assert unknown.status_code == 401, "unknown paths reveal nothing before authentication"
    katana = await http.post("/webhooks/katana/not-a-hook", json={"action": "x"})
    assert katana.status_code in (401, 403, 404), katana.text
    xero = await http.post("/webhooks/xero", content=b"{}")
    assert xero.status_code == 401, xero.text
    callback = await http.get("/oauth/xero/callback?state=bogus&code=x")
    assert callback.status_code in (400, 403, 404), callback.text
    assert "x-correlation-id" in callback.headers


async def test_tenant_isolation_walk(stack: Stack) -> None:
    """A's admin token against B's ids (paths and bodies) and every list: never B's data."""
    http, a, b = stack.gw.http, stack.a, stack.b
    h = bearer(a.token)
    results = []
    for method, path, op in OPERATIONS:
        if (method, path) in PUBLIC_API or (
            path == "/api/v1/tenants/current" and method == "DELETE"
        ):
            continue
        body = _example(op)
        if "{" in path:
            response = await http.request(method, _fill(path, b.ids), json=body, headers=h)
            results.append((method, path, response.status_code))
            if method == "GET" and response.status_code == 200:
                assert _empty(response.json()), (path, response.text)
            elif (method, path) in OWN_SCOPE_WRITES and response.status_code == 200:
                assert response.json()["version"] <= 1, response.text
            else:
                assert response.status_code in REFUSED, (method, path, response.text)
        elif method == "GET":
            response = await http.get(path, headers=h)
            results.append((method, path, response.status_code))
            assert response.status_code == 200, (path, response.text)
        else:
            continue
        assert not _leaks(response, b.markers), (method, path, response.text)
    assert len(results) >= 50
    own = await http.get("/api/v1/purchase-orders", headers=h)
    assert a.ids["draft_id"] in own.text, "lists are not vacuously empty"
    drafts = await http.post(
        "/api/v1/purchase-orders/drafts",
        json={"lines": [{"variant_id": b.ids["variant_id"], "location_id": b.ids["location_id"]}]},
        headers=h,
    )
    assert drafts.status_code >= 400 or not drafts.json()["drafts"], drafts.text
    override = await http.post(
        f"/api/v1/forecasts/{b.ids['variant_id']}/overrides",
        json={
            "location_id": b.ids["location_id"],
            "kind": "rate",
            "start_date": "2026-06-10",
            "units_per_day": 1,
        },
        headers=h,
    )
    assert override.status_code >= 400 or b.ids["override_id"] not in override.text
    line = await http.post(
        f"/api/v1/purchase-orders/{a.ids['draft_id']}/lines",
        json={
            "variant_id": b.ids["variant_id"],
            "location_id": b.ids["location_id"],
            "quantity": 1,
        },
        headers=h,
    )
    assert 400 <= line.status_code < 500, line.text
    mine = await http.get(f"/api/v1/purchase-orders/{b.ids['draft_id']}", headers=bearer(b.token))
    assert mine.status_code == 200, "B's order survived A's attempts"
    theirs = await http.get(
        f"/api/v1/settings/suppliers/{b.ids['supplier_id']}", headers=bearer(b.token)
    )
    assert {k: float(v) for k, v in theirs.json()["values"].items()} == {"lead_time_days": 17.0}


async def test_viewer_cannot_write(stack: Stack) -> None:
    http = stack.gw.http
    h = bearer(stack.viewer_token)
    checked = 0
    for method, path, op in OPERATIONS:
        if method == "GET" or (method, path) in PUBLIC_API or (method, path) in ANY_USER_WRITES:
            continue
        response = await http.request(
            method, _fill(path, stack.a.ids), json=_example(op), headers=h
        )
        assert response.status_code in (403, 422), (method, path, response.text)
        checked += 1
    assert checked >= 30
    assert (await http.get("/api/v1/plan", headers=h)).status_code == 200


async def test_headers_are_relayed(stack: Stack) -> None:
    http, a = stack.gw.http, stack.a
    h = {**bearer(a.token), "X-Correlation-ID": "corr-gw-public-1"}
    order = await http.get(f"/api/v1/purchase-orders/{a.ids['draft_id']}", headers=h)
    assert order.status_code == 200 and order.headers["etag"]
    assert order.headers["x-correlation-id"] == "corr-gw-public-1"
    stale = await http.patch(
        f"/api/v1/purchase-orders/{a.ids['draft_id']}",
        json={"notes": "changed"},
        headers={**h, "If-Match": '"stale"'},
    )
    assert stale.status_code == 412, stale.text
    fresh = await http.patch(
        f"/api/v1/purchase-orders/{a.ids['draft_id']}",
        json={"notes": "changed"},
        headers={**h, "If-Match": order.headers["etag"]},
    )
    assert fresh.status_code == 200 and fresh.headers["etag"] != order.headers["etag"]
    csv = await http.get("/api/v1/plan/export.csv", headers=h)
    assert csv.status_code == 200 and "attachment" in csv.headers["content-disposition"]
    assert csv.headers["content-type"].startswith("text/csv")
    assert a.ids["variant_id"] in csv.text and stack.b.ids["variant_id"] not in csv.text
    paged = await http.get("/api/v1/plan?page=1&page_size=1&sort=-order_qty", headers=h)
    assert paged.json()["page_size"] == 1 and len(paged.json()["items"]) == 1
    me = await http.get("/api/v1/me", headers=h)
    assert me.json()["tenant_id"] == a.tenant_id


async def test_schemathesis_finds_no_server_errors(stack: Stack) -> None:
    """Bounded, derandomised Schemathesis run over every operation (as A's admin)."""
    from gw_public_fuzz import fuzz

    failures = await asyncio.to_thread(fuzz, stack.gw.url, stack.a.token, DOCUMENT)
    assert not failures, "\n".join(failures)
