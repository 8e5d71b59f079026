"""Edge protection of the public API on a served gateway and planner (real Postgres and
broker): rate limits (429 + Retry-After), body size (413), CORS, security headers, the
audit of writes, a stopped service (503), the web app with its index fallback, and
services refusing calls without an internal token."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from gw_support import Gateway, bearer, code_flow, running_gateway, sign_up
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route

from api_gateway.adapters.orm import audit_event
from api_gateway.api.protection import SecurityHeaders
from planner.app import build_spec as planner_spec
from planner.settings import Settings as PlannerSettings
from platform_kit.infra import free_port
from platform_kit.service import create_app
from platform_kit.testing.servers import serve_app

pytestmark = pytest.mark.asyncio(loop_scope="module")
ORIGIN = "https://app.example"


@dataclass
class Edge:
    gw: Gateway
    planner_url: str


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def edge(
    pg_url: str, kafka_bootstrap: str, keys_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Edge]:
    tmp = tmp_path_factory.mktemp("edge")
    dist = tmp / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><title>Restock</title><div id=app></div>")
    (dist / "assets" / "app.js").write_text("console.log('restock')")
    name = "gwe_" + uuid.uuid4().hex[:8]
    planner = create_app(
        planner_spec(
            PlannerSettings(
                database_url=pg_url,
                kafka_bootstrap_servers=kafka_bootstrap,
                keys_dir=keys_dir,
                database_name=f"{name}_planner",
                consumer_session_timeout_ms=2000,
                log_json=False,
            )
        )
    )
    async with contextlib.AsyncExitStack() as stack:
        planner_url = await stack.enter_async_context(serve_app(planner))
        gw = await stack.enter_async_context(
            running_gateway(
                pg_url,
                kafka_bootstrap,
                keys_dir,
                f"{name}_gw",
                tmp,
                planner_url=planner_url,
                forecaster_url=f"http://127.0.0.1:{free_port()}",
                rate_client_per_s=0.2,
                rate_client_burst=3.0,
                max_body_bytes=2000,
                cors_origins=[ORIGIN],
                web_dist=dist,
            )
        )
        yield Edge(gw, planner_url)


async def _token(gw: Gateway) -> tuple[str, dict[str, Any]]:
    account = await sign_up(gw)
    return (await code_flow(gw, account["email"]))["access_token"], account


async def test_rate_limit_answers_429_with_retry_after(edge: Edge) -> None:
    token, _ = await _token(edge.gw)
    answers = [await edge.gw.http.get("/api/v1/me", headers=bearer(token)) for _ in range(4)]
    assert [a.status_code for a in answers[:3]] == [200, 200, 200]
    refused = answers[3]
    assert refused.status_code == 429, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert 1 <= int(refused.headers["retry-after"]) <= 5
    forwarded = await edge.gw.http.get("/api/v1/plan", headers=bearer(token))
    assert forwarded.status_code == 429, "forwarded calls share the caller's bucket"
    other, _ = await _token(edge.gw)
    assert (await edge.gw.http.get("/api/v1/me", headers=bearer(other))).status_code == 200


async def test_request_bodies_over_the_limit_get_413(edge: Edge) -> None:
    big = {"email": "x@example.com", "password": "p" * 3000, "tenant_name": "Big"}
    declared = await edge.gw.http.post("/api/v1/signup", json=big)
    assert declared.status_code == 413
    assert declared.headers["content-type"] == "application/problem+json"

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(5):
            yield b"x" * 1000

    streamed = await edge.gw.http.post(
        "/api/v1/signup", content=chunks(), headers={"content-type": "application/json"}
    )
    assert streamed.status_code == 413
    small = await edge.gw.http.post("/api/v1/signup", json={"email": "bad"})
    assert small.status_code == 422


async def test_cors_preflight_for_configured_origins_only(edge: Edge) -> None:
    ask = {"Access-Control-Request-Method": "PATCH", "Access-Control-Request-Headers": "if-match"}
    allowed = await edge.gw.http.options(
        "/api/v1/settings/global", headers={"Origin": ORIGIN, **ask}
    )
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == ORIGIN
    assert "PATCH" in allowed.headers["access-control-allow-methods"]
    denied = await edge.gw.http.options(
        "/api/v1/settings/global", headers={"Origin": "https://evil.example", **ask}
    )
    assert denied.status_code == 400
    assert "access-control-allow-origin" not in denied.headers
    simple = await edge.gw.http.get("/healthz", headers={"Origin": ORIGIN})
    assert simple.headers["access-control-allow-origin"] == ORIGIN
    assert "etag" in simple.headers["access-control-expose-headers"].lower()


async def test_security_headers_everywhere_and_policies_on_html(edge: Edge) -> None:
    for path in ("/healthz", "/api/v1/me", "/api/v1/openapi.json", "/nowhere/v1"):
        answer = await edge.gw.http.get(path)
        assert answer.headers["x-content-type-options"] == "nosniff", path
        assert answer.headers["referrer-policy"] == "no-referrer", path
        assert "strict-transport-security" not in answer.headers, "plain http: no HSTS"
    page = await edge.gw.http.get("/")
    assert page.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]


async def test_hsts_over_https() -> None:
    async def page(request: Any) -> HTMLResponse:
        return HTMLResponse("<p>hi</p>")

    app = SecurityHeaders(Starlette(routes=[Route("/", page)]), https=True)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://t") as c:
        answer = await c.get("/")
    assert answer.headers["strict-transport-security"] == "max-age=31536000"
    assert answer.headers["x-frame-options"] == "DENY"


async def test_writes_are_audited_without_bodies(edge: Edge) -> None:
    token, account = await _token(edge.gw)
    h = {**bearer(token), "X-Correlation-ID": "corr-audit-1"}
    created = await edge.gw.http.post("/api/v1/api-keys", json={"name": "secret-name-1"}, headers=h)
    assert created.status_code == 201
    current = await edge.gw.http.get("/api/v1/settings/global", headers=h)
    patched = await edge.gw.http.patch(
        "/api/v1/settings/global",
        json={"values": {"service_level": 0.97}},
        headers={**h, "If-Match": current.headers["etag"]},
    )
    assert patched.status_code == 200, patched.text
    tenant = uuid.UUID(account["tenant_id"])
    rows: list[Any] = []
    for _ in range(50):
        async with edge.gw.runtime.uow() as uow:
            rows = (
                await uow.session.execute(
                    select(audit_event).where(
                        audit_event.c.tenant_id == tenant, audit_event.c.action == "api.write"
                    )
                )
            ).all()
        if len(rows) >= 2:
            break
        await asyncio.sleep(0.1)
    details = {(r.detail["method"], r.detail["route"]): r for r in rows}
    assert ("POST", "/api/v1/api-keys") in details, [r.detail for r in rows]
    key_row = details[("POST", "/api/v1/api-keys")]
    settings_row = details[("PATCH", "/api/v1/settings/global")]
    for row in (key_row, settings_row):
        assert row.actor == account["user_id"]
        assert row.detail["correlation_id"] == "corr-audit-1"
        assert "secret-name-1" not in str(row.detail) and "0.97" not in str(row.detail)
    assert key_row.detail["status"] == 201 and settings_row.detail["status"] == 200


async def test_stopped_service_answers_503(edge: Edge) -> None:
    token, _ = await _token(edge.gw)
    answer = await edge.gw.http.get("/api/v1/forecasts", headers=bearer(token))
    assert answer.status_code == 503
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["service"] == "forecaster"


async def test_web_app_with_index_fallback(edge: Edge) -> None:
    http = edge.gw.http
    index = await http.get("/")
    assert index.status_code == 200 and "<div id=app>" in index.text
    deep = await http.get("/plan/rows/v1/wh")
    assert deep.status_code == 200 and deep.text == index.text
    asset = await http.get("/assets/app.js")
    assert asset.status_code == 200 and "restock" in asset.text
    assert "javascript" in asset.headers["content-type"]
    escape = await http.get("/assets/..%2F..%2Fetc%2Fpasswd")
    assert escape.status_code == 200 and escape.text == index.text
    for reserved in ("/v1/nothing", "/api/v2/x", "/oauth/nothing"):
        answer = await http.get(reserved)
        assert answer.status_code in (401, 404), reserved
        assert "<div id=app>" not in answer.text


async def test_services_refuse_calls_without_an_internal_token(edge: Edge) -> None:
    token, _ = await _token(edge.gw)
    async with httpx.AsyncClient(base_url=edge.planner_url) as planner:
        assert (await planner.get("/v1/plan")).status_code == 401
        user_token = await planner.get("/v1/plan", headers=bearer(token))
        assert user_token.status_code == 401, "a user access token is not an internal token"
