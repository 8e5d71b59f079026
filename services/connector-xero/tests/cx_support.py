"""Shared test wiring: a served connector-xero app against a running Xero sandbox."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
from sqlalchemy import select, text

from connector_xero.app import build_spec
from connector_xero.handlers.deps import Deps
from connector_xero.settings import Settings
from platform_kit.service import create_app
from platform_kit.testing.servers import serve_app
from restock_contracts.topics import topic_by_name

WEBHOOK_KEY = "test-webhook-key-0123456789"


@dataclass
class Service:
    """A served connector and handy clients."""

    app: Any
    url: str
    http: httpx.AsyncClient
    tenant_id: uuid.UUID
    token: str

    @property
    def deps(self) -> Deps:
        return self.app.state.runtime.extras["xero"]

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def settings_for(
    sb: Any, pg_url: str, bootstrap: str, keys_dir: Path, db: str, **over: Any
) -> Settings:
    values: dict[str, Any] = dict(  # noqa: C408
        database_url=pg_url,
        kafka_bootstrap_servers=bootstrap,
        keys_dir=keys_dir,
        database_name=db,
        consumer_session_timeout_ms=2000,
        log_json=False,
        client_id=sb.client_id,
        client_secret=sb.client_secret,
        redirect_uri=sb.redirect_uri,
        authorize_url=sb.authorize_endpoint,
        token_url=sb.token_url,
        revocation_url=f"{sb.base_url}/connect/revocation",
        connections_url=f"{sb.base_url}/connections",
        api_url=sb.api_url,
        webhook_key=WEBHOOK_KEY,
        schedule_enabled=False,
        worker_poll_s=0.1,
        webhook_coalesce_s=0.3,
        http_timeout_s=10.0,
        job_retry_backoff_s=0.5,
        po_retry_backoff_s=0.5,
    )
    values.update(over)
    return Settings(**values)


@contextlib.asynccontextmanager
async def service(
    sb: Any, pg_url: str, bootstrap: str, keys_dir: Path, db: str, mint_token: Any, **over: Any
) -> AsyncIterator[Service]:
    app = create_app(build_spec(settings_for(sb, pg_url, bootstrap, keys_dir, db, **over)))
    tenant_id = uuid.uuid4()
    async with serve_app(app) as url, httpx.AsyncClient(base_url=url, timeout=60) as http:
        yield Service(app, url, http, tenant_id, mint_token(tenant_id, ["admin"]))


async def authorize(svc: Service, sb: Any) -> dict[str, Any]:
    """Start in Restock, consent at the sandbox (auto), come back through the callback."""
    started = await svc.http.post("/v1/xero/authorizations", headers=svc.auth)
    assert started.status_code == 201, started.text
    url = started.json()["authorize_url"]
    await asyncio.to_thread(sb.admin, "POST", "/consent", {"auto": True})
    async with httpx.AsyncClient() as raw:
        redirect = await raw.get(url, follow_redirects=False)
    assert redirect.status_code == 302, redirect.text
    location = urlparse(redirect.headers["location"])
    assert location.path == "/oauth/xero/callback"
    callback = await svc.http.get(f"/oauth/xero/callback?{location.query}")
    assert callback.status_code == 200, callback.text
    return dict(callback.json())


async def connect(svc: Service, sb: Any, index: int = 0) -> tuple[uuid.UUID, uuid.UUID]:
    """Authorize and pick organisation ``index``; returns (grant id, connection id)."""
    result = await authorize(svc, sb)
    chosen = await svc.http.post(
        "/v1/xero/connections",
        headers=svc.auth,
        json={"grant_id": result["grant_id"], "xero_tenant_id": sb.tenant_ids[index]},
    )
    assert chosen.status_code == 201, chosen.text
    return uuid.UUID(result["grant_id"]), uuid.UUID(chosen.json()["connection_id"])


async def run_load(
    svc: Service, connection_id: uuid.UUID, mode: str, limit_s: float = 60
) -> dict[str, Any]:
    started = await svc.http.post(
        f"/v1/xero/connections/{connection_id}/loads", headers=svc.auth, json={"mode": mode}
    )
    assert started.status_code == 202, started.text
    return await wait_job(svc, started.json()["job_id"], limit_s)


async def wait_job(svc: Service, job_id: str, limit_s: float = 60) -> dict[str, Any]:
    deadline = asyncio.get_running_loop().time() + limit_s
    while True:
        body = (await svc.http.get(f"/v1/xero/loads/{job_id}", headers=svc.auth)).json()
        if body["status"] in {"succeeded", "failed"}:
            return dict(body)
        assert asyncio.get_running_loop().time() < deadline, body
        await asyncio.sleep(0.1)


async def outbox(svc: Service, topic: str | None = None) -> list[Any]:
    """Decoded envelopes written to the outbox, in order."""
    db = svc.deps.db
    table = db.tables["outbox"]
    stmt = select(table.c.topic, table.c.value).order_by(table.c.id)
    if topic:
        stmt = stmt.where(table.c.topic == topic)
    async with db.sessions() as session:
        rows = (await session.execute(stmt)).all()
    return [topic_by_name(t).decode(v) for t, v in rows]


def records(envelopes: list[Any], sync_id: Any = None) -> list[Any]:
    out = []
    for env in envelopes:
        payload = env.payload
        if hasattr(payload, "records") and (
            sync_id is None or str(payload.sync_id) == str(sync_id)
        ):
            out.extend(payload.records)
    return out


async def scalar(svc: Service, sql: str, **params: Any) -> Any:
    async with svc.deps.db.sessions() as session:
        return (await session.execute(text(sql), params)).scalar()


async def execute(svc: Service, sql: str, **params: Any) -> None:
    async with svc.deps.uow() as uow:
        await uow.session.execute(text(sql), params)
        await uow.commit()
