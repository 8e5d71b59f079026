"""HTTP client for Katana's ``/v1`` API (httpx), budgeted and tolerant of error shapes.

URLs are always built from ids and the connection's configured base URL, never taken
from webhook payloads (SSRF). Errors come flat or wrapped in ``{"error": {...}}``.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass, field
from typing import Any

import httpx

from connector_katana.adapters.budget import BULK, RateBudget

log = logging.getLogger(__name__)


class KatanaError(Exception):
    """Katana answered with an error status."""

    def __init__(
        self,
        status: int,
        name: str,
        message: str,
        body: Any = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(f"Katana {status} {name}: {message}")
        self.status = status
        self.name = name
        self.message = message
        self.body = body
        self.retry_after = retry_after

    @property
    def retryable(self) -> bool:
        """Rate limits and server errors may succeed later."""
        return self.status == 429 or self.status >= 500


class KatanaUnavailable(Exception):
    """No answer (timeout, dropped connection): the outcome of the request is unknown."""


def parse_error(response: httpx.Response) -> KatanaError:
    """A :class:`KatanaError` from a flat or ``{"error": ...}``-wrapped error body."""
    try:
        body: Any = response.json()
    except ValueError:
        body = {"message": response.text[:500]}
    inner = (
        body.get("error")
        if isinstance(body, dict) and isinstance(body.get("error"), dict)
        else body
    )
    if not isinstance(inner, dict):
        inner = {}
    retry_after = None
    header = response.headers.get("retry-after")
    if header:
        try:
            retry_after = float(header)
        except ValueError:
            retry_after = None
    return KatanaError(
        response.status_code,
        str(inner.get("name") or "Error"),
        str(inner.get("message") or ""),
        inner,
        retry_after,
    )


def parse_pagination(response: httpx.Response) -> dict[str, Any]:
    """``X-Pagination`` with string values coerced (``"142"`` -> 142, ``"false"`` -> False)."""
    raw = response.headers.get("x-pagination")
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        return {}
    out: dict[str, Any] = {}
    for key, value in data.items() if isinstance(data, dict) else []:
        if isinstance(value, str) and value.lower() in ("true", "false"):
            out[key] = value.lower() == "true"
        else:
            try:
                out[key] = int(value)
            except (TypeError, ValueError):
                out[key] = value
    return out


@dataclass
class Page:
    """One list page: rows plus pagination facts."""

    rows: list[dict[str, Any]]
    total_pages: int | None
    total_records: int | None
    last_page: bool


@dataclass
class KatanaClient:
    """One connection's API client; every request first takes a token from the budget."""

    base_url: str
    api_key: str
    key_id: str
    budget: RateBudget | None
    http: httpx.AsyncClient
    max_retries: int = 6
    stats: dict[str, int] = field(default_factory=lambda: {"requests": 0, "throttled": 0})

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Any = None,
        body: Any = None,
        priority: str = BULK,
        retry_unknown: bool = True,
    ) -> httpx.Response:
        """Send one request; waits on 429 (pausing the key) and retries 5xx and timeouts.

        ``retry_unknown=False`` raises :class:`KatanaUnavailable` on a timeout instead of
        retrying (a create must be looked up before it is sent again).
        """
        url = self.base_url.rstrip("/") + path
        delay = 0.2
        for attempt in range(self.max_retries + 1):
            if self.budget is not None:
                await self.budget.acquire(self.key_id, priority)
            self.stats["requests"] += 1
            try:
                response = await self.http.request(
                    method,
                    url,
                    params=params,
                    json=body,
                    headers={"Authorization": f"Bearer {self.api_key}"},
                )
            except httpx.TransportError as exc:
                if not retry_unknown or attempt == self.max_retries:
                    raise KatanaUnavailable(f"{method} {path}: {type(exc).__name__}") from exc
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
                continue
            if response.status_code == 429:
                self.stats["throttled"] += 1
                wait = parse_error(response).retry_after or 1.0
                log.warning("katana 429 on %s; pausing key for %.1fs", path, wait)
                if self.budget is not None:
                    await self.budget.pause(self.key_id, wait)
                else:
                    await asyncio.sleep(wait)
                continue
            if response.status_code >= 500 and attempt < self.max_retries:
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
                continue
            if response.status_code >= 400:
                raise parse_error(response)
            return response
        raise KatanaUnavailable(f"{method} {path}: retries exhausted")

    async def list_page(
        self, path: str, params: dict[str, Any], page: int, limit: int, priority: str = BULK
    ) -> Page:
        """One page of a list endpoint."""
        response = await self.request(
            "GET", path, params={**params, "page": page, "limit": limit}, priority=priority
        )
        try:
            body = response.json()
        except ValueError as exc:
            raise KatanaError(response.status_code, "BadBody", "response is not JSON") from exc
        rows = body.get("data") if isinstance(body, dict) else body
        if not isinstance(rows, list):
            raise KatanaError(response.status_code, "BadBody", "response has no data list")
        meta = parse_pagination(response)
        total_pages = meta.get("total_pages") if isinstance(meta.get("total_pages"), int) else None
        last = meta.get("last_page")
        if not isinstance(last, bool):
            last = (
                total_pages is not None and page >= total_pages
                if total_pages
                else len(rows) < limit
            )
        return Page(
            [r for r in rows if isinstance(r, dict)],
            total_pages,
            meta.get("total_records") if isinstance(meta.get("total_records"), int) else None,
            last,
        )

    async def get_json(self, path: str, *, priority: str = BULK, params: Any = None) -> Any:
        """GET and decode JSON."""
        return (await self.request("GET", path, priority=priority, params=params)).json()
