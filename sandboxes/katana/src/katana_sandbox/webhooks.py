"""Webhook delivery: thin events signed with ``x-sha2-signature``, retried like Katana."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from typing import Any

import httpx

from katana_sandbox.account import Account
from katana_sandbox.validation import Prop

WEBHOOK_CREATE = {
    "url": Prop("string", required=True, min_length=1),
    "subscribed_events": Prop("array", required=True, min_items=1),
    "enabled": Prop("boolean"),
    "description": Prop("string", nullable=True),
}
WEBHOOK_PATCH = {
    k: Prop(v.type, nullable=v.nullable, min_length=v.min_length, min_items=v.min_items)
    for k, v in WEBHOOK_CREATE.items()
}


def sign(token: str, body: bytes) -> str:
    """Hex HMAC-SHA256 of ``body`` keyed by the webhook ``token``."""
    return hmac.new(token.encode(), body, hashlib.sha256).hexdigest()


@dataclass
class Delivery:
    """One delivery attempt, kept for inspection via ``/_sandbox/webhook_deliveries``."""

    webhook_id: int
    url: str
    event: str
    attempt: int
    status: int | None
    error: str | None


@dataclass
class Dispatcher:
    """Schedules deliveries on the running event loop (created inside the app loop)."""

    retry_delays_s: tuple[float, ...]
    timeout_s: float
    base_url: str
    deliveries: list[Delivery] = field(default_factory=list)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _client: httpx.AsyncClient | None = None

    def emit(
        self,
        acc: Account,
        resource: str,
        event: str,
        obj_id: Any,
        status: str | None,
        path: str | None,
    ) -> None:
        """Fan an event out to the account's enabled, subscribed webhooks."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        for hook in acc.webhooks.rows.values():
            if not hook["enabled"] or event not in hook["subscribed_events"]:
                continue
            obj: dict[str, Any] = {"id": obj_id, "status": status}
            if path is not None:
                obj["href"] = f"{self.base_url}/{path}"
            payload = {
                "resource_type": resource,
                "action": event,
                "webhook_id": hook["id"],
                "object": obj,
            }
            body = json.dumps(payload, separators=(",", ":")).encode()
            task = loop.create_task(
                self._deliver(hook["id"], hook["url"], hook["token"], event, body)
            )
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _deliver(self, hook_id: int, url: str, token: str, event: str, body: bytes) -> None:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self.timeout_s)
        headers = {"content-type": "application/json", "x-sha2-signature": sign(token, body)}
        for attempt in range(len(self.retry_delays_s) + 1):
            if attempt:
                await asyncio.sleep(self.retry_delays_s[attempt - 1])
                headers["X-Katana-Retry-Num"] = str(attempt)
            status: int | None = None
            error: str | None = None
            try:
                resp = await self._client.post(url, content=body, headers=headers)
                status = resp.status_code
            except httpx.HTTPError as exc:
                error = type(exc).__name__
            self.deliveries.append(Delivery(hook_id, url, event, attempt, status, error))
            if status is not None and 200 <= status < 300:
                return

    async def aclose(self) -> None:
        """Cancel pending deliveries and close the HTTP client."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()
