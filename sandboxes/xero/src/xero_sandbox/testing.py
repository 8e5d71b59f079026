"""Test helper: run a sandbox in a background uvicorn thread on a free port.

with running_sandbox(auto_consent=True) as sb:
    token = sb.connect()                      # headless auth-code flow
    tenant = sb.tenant_ids[0]
    httpx.get(f"{sb.base_url}/api.xro/2.0/Items", headers=sb.api_headers(token, tenant))
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import httpx
import uvicorn
from fastapi import FastAPI

from xero_sandbox.app import create_app
from xero_sandbox.config import OrgSpec, SandboxConfig
from xero_sandbox.runtime import Sandbox

DEFAULT_SCOPES = (
    "openid profile email offline_access accounting.transactions accounting.contacts.read "
    "accounting.settings.read"
)


FAST_ORGS = (
    OrgSpec(name="Kiwi Outdoor Gear Ltd", seed=7, items=12, years=0.5),
    OrgSpec(
        name="Sydney Trail Supplies Pty Ltd",
        seed=8,
        items=6,
        years=0.5,
        base_currency="AUD",
        time_zone="Australia/Sydney",
    ),
)


def fast_config(**overrides: Any) -> SandboxConfig:
    """Two small organisations that seed in well under a second (for tests)."""
    return dataclasses.replace(SandboxConfig(organisations=FAST_ORGS), **overrides)


def pkce_pair() -> tuple[str, str]:
    """A PKCE (verifier, S256 challenge) pair."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@dataclass
class RunningSandbox:
    """A live sandbox: URLs, credentials, tenants and helpers for headless flows."""

    base_url: str
    app: FastAPI
    client_id: str
    client_secret: str | None
    redirect_uri: str
    tenant_ids: list[str]
    http: httpx.Client

    @property
    def sandbox(self) -> Sandbox:
        """The in-memory state (read it in tests; change it through the admin API)."""
        state: Sandbox = self.app.state.sandbox
        return state

    @property
    def token_url(self) -> str:
        """Token endpoint."""
        return f"{self.base_url}/connect/token"

    @property
    def authorize_endpoint(self) -> str:
        """Authorization endpoint."""
        return f"{self.base_url}/identity/connect/authorize"

    @property
    def api_url(self) -> str:
        """Accounting API base (``.../api.xro/2.0``)."""
        return f"{self.base_url}/api.xro/2.0"

    def admin(self, method: str, path: str, json: Any = None) -> Any:
        """Call ``/_sandbox{path}`` and return the decoded JSON (raises on HTTP errors)."""
        response = self.http.request(method, f"{self.base_url}/_sandbox{path}", json=json)
        response.raise_for_status()
        return response.json() if response.content else None

    def advance(self, seconds: float) -> None:
        """Advance the sandbox clock."""
        self.admin("POST", "/clock/advance", {"seconds": seconds})

    def authorize(
        self, scope: str = DEFAULT_SCOPES, state: str = "st", code_challenge: str | None = None
    ) -> str:
        """Run the authorize step with auto-consent on; return the code from the redirect."""
        self.admin("POST", "/consent", {"auto": True})
        params = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "scope": scope,
            "state": state,
        }
        if code_challenge:
            params.update(code_challenge=code_challenge, code_challenge_method="S256")
        response = httpx.get(
            f"{self.authorize_endpoint}?{urlencode(params)}", follow_redirects=False
        )
        if response.status_code != 302:
            raise RuntimeError(f"authorize failed: {response.status_code} {response.text}")
        query = parse_qs(urlparse(response.headers["location"]).query)
        if "code" not in query:
            raise RuntimeError(f"authorize error: {query}")
        return query["code"][0]

    def connect(self, scope: str = DEFAULT_SCOPES) -> dict[str, Any]:
        """Headless authorization-code flow (client secret); returns the token response."""
        code = self.authorize(scope)
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": self.redirect_uri}
        auth = (self.client_id, self.client_secret or "")
        response = self.http.post(self.token_url, data=form, auth=auth)
        response.raise_for_status()
        token: dict[str, Any] = response.json()
        return token

    @staticmethod
    def api_headers(token: dict[str, Any] | str, tenant_id: str | None = None) -> dict[str, str]:
        """Bearer + ``xero-tenant-id`` headers."""
        access = token if isinstance(token, str) else token["access_token"]
        headers = {"Authorization": f"Bearer {access}", "Accept": "application/json"}
        if tenant_id:
            headers["xero-tenant-id"] = tenant_id
        return headers


@contextmanager
def running_sandbox(
    config: SandboxConfig | None = None, **overrides: Any
) -> Iterator[RunningSandbox]:
    """Start a sandbox on 127.0.0.1 (free port) for the duration of the block.

    ``overrides`` are ``SandboxConfig`` fields (``limits=``, ``timings=``, ``organisations=``,
    ``auto_consent=``...).
    """
    config = dataclasses.replace(config or SandboxConfig(), **overrides)
    app = create_app(config)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="critical", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("sandbox did not start")
        time.sleep(0.01)
    client = config.clients[0]
    http = httpx.Client(timeout=30, follow_redirects=False)
    try:
        yield RunningSandbox(
            base_url=f"http://127.0.0.1:{port}",
            app=app,
            client_id=client.client_id,
            client_secret=client.client_secret,
            redirect_uri=client.redirect_uris[0],
            tenant_ids=list(app.state.sandbox.orgs),
            http=http,
        )
    finally:
        http.close()
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
