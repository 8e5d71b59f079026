"""The Accounting API client: budget, bearer token, tenant header, retries.

Every call takes a slot from the organisation's :class:`Budget`, sends
``xero-tenant-id``, refreshes the grant once on a 401, obeys 429 ``Retry-After``
(pausing the organisation for every replica) and retries timeouts / 5xx with backoff
(``PUT``s are never retried here: the caller decides with its idempotency rules).
URLs are always built from ids, never from webhook payloads.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from connector_xero.adapters.budget import BULK, Budget
from connector_xero.adapters.tokens import TokenStore
from connector_xero.domain.errors import (
    NeedsReauthorisation,
    ProviderRejected,
    ProviderUnavailable,
    RateLimited,
)


@dataclass(frozen=True)
class OrgRef:
    """Which grant and which Xero organisation a call is for."""

    grant_id: uuid.UUID
    xero_tenant_id: str


@dataclass
class XeroApi:
    """Budgeted, authenticated calls to ``/api.xro/2.0``."""

    http: httpx.AsyncClient
    api_url: str
    budget: Budget
    tokens: TokenStore
    max_retries: int = 4
    calls: int = 0

    async def get(
        self,
        org: OrgRef,
        path: str,
        params: dict[str, Any] | None = None,
        if_modified_since: str | None = None,
        priority: str = BULK,
    ) -> dict[str, Any]:
        """GET a collection or record; raises ProviderRejected(404) when missing."""
        headers = {"If-Modified-Since": if_modified_since} if if_modified_since else {}
        return await self.call(org, "GET", path, params=params, headers=headers, priority=priority)

    async def call(
        self,
        org: OrgRef,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        json: Any = None,
        priority: str = BULK,
        retry_transient: bool = True,
    ) -> dict[str, Any]:
        """One logical call with its retries; returns the decoded JSON body."""
        url = f"{self.api_url}/{path}"
        refreshed = False
        attempt = 0
        while True:
            attempt += 1
            token = await self.tokens.access_token(org.grant_id)
            lease = await self.budget.acquire(org.xero_tenant_id, priority)
            try:
                self.calls += 1
                response = await self.http.request(
                    method,
                    url,
                    params=params,
                    json=json,
                    headers={
                        "Authorization": f"Bearer {token}",
                        "xero-tenant-id": org.xero_tenant_id,
                        "Accept": "application/json",
                        **(headers or {}),
                    },
                )
            except httpx.TransportError as exc:
                if not retry_transient or attempt > self.max_retries:
                    raise ProviderUnavailable(f"{type(exc).__name__}: {exc}") from exc
                await asyncio.sleep(min(0.2 * 2**attempt, 5.0))
                continue
            finally:
                await self.budget.release(lease)
            status = response.status_code
            if status == 401:
                if refreshed:
                    await self.tokens.mark_needs_reauthorisation(
                        org.grant_id, "Xero refused a freshly refreshed token"
                    )
                    raise NeedsReauthorisation("401 after refresh")
                refreshed = True
                await self.tokens.refresh(org.grant_id, stale=token)
                continue
            if status == 429:
                problem = response.headers.get("X-Rate-Limit-Problem", "minute").lower()
                wait = float(response.headers.get("Retry-After", "1") or 1)
                await self.budget.pause(org.xero_tenant_id, wait, problem)
                if attempt > self.max_retries + 2:
                    raise RateLimited(f"429 {problem}")
                continue
            if status >= 500:
                if not retry_transient or attempt > self.max_retries:
                    raise ProviderUnavailable(f"Xero answered {status}")
                await asyncio.sleep(min(0.2 * 2**attempt, 5.0))
                continue
            body: Any = _json(response)
            if status >= 400:
                raise ProviderRejected(status, body)
            return body if isinstance(body, dict) else {"data": body}


def _json(response: httpx.Response) -> Any:
    try:
        return response.json() if response.content else {}
    except ValueError:
        return {"text": response.text[:500]}


def path_id(value: str) -> str:
    """A path segment built from an id (quoted: never a URL taken from a payload)."""
    return quote(str(value), safe="")
