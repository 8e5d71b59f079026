"""Helpers for po-gateway's Xero tests: connector-xero served against the Xero sandbox,
and the admin's consent flow."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
from po_support import auth, service_process

from connector_xero.app import build_spec as xero_spec
from connector_xero.settings import Settings as XeroSettings
from platform_kit.service import create_app

XERO_PROCESS_SETTINGS = [
    "database_name",
    "consumer_session_timeout_ms",
    "log_json",
    "client_id",
    "client_secret",
    "redirect_uri",
    "authorize_url",
    "token_url",
    "revocation_url",
    "connections_url",
    "api_url",
    "webhook_key",
    "schedule_enabled",
    "worker_poll_s",
    "http_timeout_s",
    "po_retry_backoff_s",
    "po_lease_s",
]


def xero_settings(
    sb: Any, pg_url: str, kafka: str, keys_dir: Path, db: str, **extra: Any
) -> XeroSettings:
    """connector-xero against the sandbox ``sb`` (no schedule, quick PO retries)."""
    values: dict[str, Any] = {
        "database_url": pg_url,
        "kafka_bootstrap_servers": kafka,
        "keys_dir": keys_dir,
        "database_name": db,
        "consumer_session_timeout_ms": 2000,
        "log_json": False,
        "client_id": sb.client_id,
        "client_secret": sb.client_secret,
        "redirect_uri": sb.redirect_uri,
        "authorize_url": sb.authorize_endpoint,
        "token_url": sb.token_url,
        "revocation_url": f"{sb.base_url}/connect/revocation",
        "connections_url": f"{sb.base_url}/connections",
        "api_url": sb.api_url,
        "webhook_key": "po-e2e-webhook-key-0123456789",
        "schedule_enabled": False,
        "worker_poll_s": 0.1,
        "http_timeout_s": 10.0,
        "po_retry_backoff_s": 0.5,
        **extra,
    }
    return XeroSettings(**values)


def xero_connector(sb: Any, pg_url: str, kafka: str, keys_dir: Path, db: str) -> Any:
    """connector-xero served in this process."""
    return create_app(xero_spec(xero_settings(sb, pg_url, kafka, keys_dir, db)))


def xero_process(settings: XeroSettings) -> Any:
    """connector-xero as a real process (to SIGKILL); yields its URL and the process."""
    return service_process("connector_xero", "CONNECTOR_XERO_", settings, XERO_PROCESS_SETTINGS)


async def connect_xero(http: httpx.AsyncClient, token: str, sb: Any) -> None:
    """Consent at the sandbox and choose its first organisation (as an admin would)."""
    started = await http.post("/v1/xero/authorizations", headers=auth(token))
    assert started.status_code == 201, started.text
    await asyncio.to_thread(sb.admin, "POST", "/consent", {"auto": True})
    async with httpx.AsyncClient() as raw:
        redirect = await raw.get(started.json()["authorize_url"], follow_redirects=False)
    callback = await http.get(
        f"/oauth/xero/callback?{urlparse(redirect.headers['location']).query}"
    )
    assert callback.status_code == 200, callback.text
    chosen = await http.post(
        "/v1/xero/connections",
        headers=auth(token),
        json={"grant_id": callback.json()["grant_id"], "xero_tenant_id": sb.tenant_ids[0]},
    )
    assert chosen.status_code == 201, chosen.text
