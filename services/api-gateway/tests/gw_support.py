"""Helpers for the api-gateway tests: a served gateway, sign-up, the browser side of the
code flow (driven with Authlib's client), mail and broker readers."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
from aiokafka import AIOKafkaConsumer
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from fastapi import FastAPI

from api_gateway.app import build_spec
from api_gateway.settings import Settings
from platform_kit.infra import free_port
from platform_kit.service import Runtime, create_app
from platform_kit.testing.servers import serve_app
from restock_contracts.topics import TENANTS

WEB_CLIENT = "restock-web"
REDIRECT_URI = "http://127.0.0.1:5173/auth/callback"
PASSWORD = "correct horse battery staple"


@dataclass
class Gateway:
    url: str
    app: FastAPI
    mail_file: Path
    http: httpx.AsyncClient

    @property
    def runtime(self) -> Runtime:
        return self.app.state.runtime


def settings_for(
    pg_url: str,
    bootstrap: str | None,
    keys_dir: Path,
    db: str,
    port: int,
    mail_file: Path,
    **overrides: Any,
) -> Settings:
    values: dict[str, Any] = {
        "database_url": pg_url,
        "kafka_bootstrap_servers": bootstrap,
        "keys_dir": keys_dir,
        "database_name": db,
        "consumer_session_timeout_ms": 2000,
        "log_json": False,
        "issuer": f"http://127.0.0.1:{port}",
        "password_log_n": 12,
        "mailer": "file",
        "mail_file": mail_file,
        "signing_key_cache_s": 0.0,
        "web_redirect_uris": [REDIRECT_URI],
    }
    values.update(overrides)
    return Settings(**values)


@contextlib.asynccontextmanager
async def running_gateway(
    pg_url: str, bootstrap: str | None, keys_dir: Path, db: str, tmp: Path, **overrides: Any
) -> AsyncIterator[Gateway]:
    port = free_port()
    mail_file = tmp / f"mail-{uuid.uuid4().hex[:6]}.jsonl"
    settings = settings_for(pg_url, bootstrap, keys_dir, db, port, mail_file, **overrides)
    app = create_app(build_spec(settings))
    async with serve_app(app, port=port) as url, httpx.AsyncClient(base_url=url) as http:
        yield Gateway(url=url, app=app, mail_file=mail_file, http=http)


async def sign_up(
    gw: Gateway, email: str | None = None, tenant: str = "Acme Tools", **extra: Any
) -> dict[str, Any]:
    email = email or f"owner-{uuid.uuid4().hex[:8]}@example.com"
    body = {"email": email, "password": PASSWORD, "tenant_name": tenant, **extra}
    response = await gw.http.post("/v1/signup", json=body)
    assert response.status_code == 201, response.text
    return {**response.json(), "email": email}


def _form(html: str) -> tuple[str, dict[str, str]]:
    action = re.search(r'<form method="post" action="([^"]+)"', html)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert action and csrf, html
    return action.group(1).replace("&amp;", "&"), {"csrf_token": csrf.group(1)}


async def browser_login(
    gw: Gateway, authorize_url: str, email: str, password: str, headers: dict | None = None
) -> httpx.Response:
    """What the user's browser does: open the sign-in page, submit the form."""
    async with httpx.AsyncClient(base_url=gw.url, headers=headers) as browser:
        page = await browser.get(authorize_url)
        assert page.status_code == 200, page.text
        action, fields = _form(page.text)
        return await browser.post(
            urljoin(gw.url, action), data={**fields, "email": email, "password": password}
        )


def oauth_client(gw: Gateway, **kwargs: Any) -> OAuth2Session:
    """Authlib's (requests-based) client; call its network methods via asyncio.to_thread."""
    kwargs.setdefault("client_id", WEB_CLIENT)
    kwargs.setdefault("redirect_uri", REDIRECT_URI)
    kwargs.setdefault("scope", "openid email api offline_access")
    kwargs.setdefault("code_challenge_method", "S256")
    kwargs.setdefault("token_endpoint_auth_method", "none")
    return OAuth2Session(**kwargs)


async def code_flow(gw: Gateway, email: str, password: str = PASSWORD) -> dict[str, Any]:
    """Authorization code + PKCE end to end; returns the token response."""
    with oauth_client(gw) as client:
        verifier = generate_token(48)
        url, state = client.create_authorization_url(
            f"{gw.url}/oauth/authorize", code_verifier=verifier
        )
        answer = await browser_login(gw, url, email, password)
        assert answer.status_code == 302, answer.text
        location = answer.headers["location"]
        assert parse_qs(urlsplit(location).query)["state"] == [state]
        token = await asyncio.to_thread(
            client.fetch_token,
            f"{gw.url}/oauth/token",
            authorization_response=location,
            code_verifier=verifier,
        )
    return dict(token)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def read_mail(path: Path, to: str, kind: str) -> str:
    """The token in the link of the last ``kind`` mail sent to ``to``."""
    messages = [json.loads(line) for line in path.read_text().splitlines()]
    mine = [m for m in messages if m["to"] == to and m["kind"] == kind]
    assert mine, messages
    return parse_qs(urlsplit(mine[-1]["link"]).query)["token"][0]


async def tenant_events(
    bootstrap: str, tenant_id: uuid.UUID, until: str, timeout_s: float = 30.0
) -> list[str]:
    """Event types on the tenants topic for one tenant, read until ``until`` appears."""
    consumer = AIOKafkaConsumer(
        TENANTS.name,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        group_id=None,
        enable_auto_commit=False,
    )
    await consumer.start()
    seen: list[str] = []
    try:
        deadline = asyncio.get_running_loop().time() + timeout_s
        while asyncio.get_running_loop().time() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            for records in batch.values():
                for record in records:
                    envelope = TENANTS.decode(record.value)
                    if envelope.tenant_id == tenant_id:
                        seen.append(envelope.payload.event_type)
            if until in seen:
                return seen
    finally:
        await consumer.stop()
    return seen
