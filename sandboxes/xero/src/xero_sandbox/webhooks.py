"""Webhooks: signed thin-event delivery with retries, and the intent-to-receive check."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import random
import secrets
import string
from dataclasses import dataclass, field
from typing import Any

import httpx

from xero_sandbox.clock import SandboxClock
from xero_sandbox.config import SandboxConfig

RESOURCE_BASE = "https://api.xero.com/api.xro/2.0"
_COLLECTION = {"INVOICE": "Invoices", "CONTACT": "Contacts", "CREDITNOTE": "CreditNotes"}


def sign(key: str, body: bytes) -> str:
    """``x-xero-signature``: base64 of HMAC-SHA256 over the raw body with the webhook key."""
    return base64.b64encode(hmac.new(key.encode(), body, hashlib.sha256).digest()).decode()


def _entropy() -> str:
    return "".join(secrets.choice(string.ascii_uppercase) for _ in range(20))


@dataclass
class Subscription:
    """One app's webhook: ``status`` is UNVERIFIED until intent-to-receive passes."""

    client_id: str
    url: str | None
    key: str | None
    status: str = "UNVERIFIED"
    sequence: int = 0


@dataclass
class WebhookDispatcher:
    """Queues events from data changes and delivers them per app in small batches."""

    config: SandboxConfig
    clock: SandboxClock
    subscriptions: dict[str, Subscription] = field(default_factory=dict)
    deliveries: list[dict[str, Any]] = field(default_factory=list)
    _pending: list[dict[str, Any]] = field(default_factory=list)
    _wake: asyncio.Event | None = None
    _task: asyncio.Task[None] | None = None
    _client: httpx.AsyncClient | None = None
    _retries: set[asyncio.Task[None]] = field(default_factory=set)

    def __post_init__(self) -> None:
        for app in self.config.clients:
            self.subscriptions[app.client_id] = Subscription(
                app.client_id, app.webhook_url, app.webhook_key
            )

    async def start(self) -> None:
        """Start the delivery loop (called from the app lifespan)."""
        self._wake = asyncio.Event()
        self._client = httpx.AsyncClient(timeout=self.config.timings.webhook_timeout)
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        """Stop delivering and close the HTTP client."""
        for task in [self._task, *self._retries]:
            if task is not None:
                task.cancel()
        await asyncio.gather(
            *(t for t in [self._task, *self._retries] if t), return_exceptions=True
        )
        if self._client is not None:
            await self._client.aclose()

    def notify(self, tenant_id: str, category: str, event_type: str, resource_id: str) -> None:
        """Record a CREATE/UPDATE event for a resource; delivered after the batch window."""
        self._pending.append(
            {
                "resourceUrl": f"{RESOURCE_BASE}/{_COLLECTION[category]}/{resource_id}",
                "resourceId": resource_id,
                "eventDateUtc": self.clock.now().strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3],
                "eventType": event_type,
                "eventCategory": category,
                "tenantId": tenant_id,
                "tenantType": "ORGANISATION",
            }
        )
        if self._wake is not None:
            self._wake.set()

    async def _run(self) -> None:
        assert self._wake is not None
        while True:
            await self._wake.wait()
            self._wake.clear()
            await asyncio.sleep(self.config.timings.webhook_batch)
            events, self._pending = self._pending, []
            for sub in self.subscriptions.values():
                if sub.status != "OK" or not sub.url or not sub.key or not events:
                    continue
                first = sub.sequence + 1
                sub.sequence += len(events)
                payload = {
                    "events": events,
                    "firstEventSequence": first,
                    "lastEventSequence": sub.sequence,
                    "entropy": _entropy(),
                }
                task = asyncio.create_task(self._deliver(sub, json.dumps(payload).encode()))
                self._retries.add(task)
                task.add_done_callback(self._retries.discard)

    async def _post(self, url: str, body: bytes, signature: str) -> httpx.Response | None:
        assert self._client is not None
        headers = {"Content-Type": "application/json", "x-xero-signature": signature}
        try:
            return await self._client.post(url, content=body, headers=headers)
        except httpx.HTTPError:
            return None

    async def _deliver(self, sub: Subscription, body: bytes) -> None:
        delays = (0.0, *self.config.timings.webhook_retries)
        for attempt, delay in enumerate(delays, start=1):
            await asyncio.sleep(delay)
            if not sub.url or not sub.key:
                return
            response = await self._post(sub.url, body, sign(sub.key, body))
            status = response.status_code if response is not None else None
            self.deliveries.append(
                {
                    "clientId": sub.client_id,
                    "attempt": attempt,
                    "status": status,
                    "body": json.loads(body),
                }
            )
            if status == 200:
                return
        sub.status = "DISABLED"

    async def configure(self, client_id: str, url: str, key: str) -> dict[str, Any]:
        """Set an app's webhook URL and key, then run intent-to-receive (as Xero does)."""
        sub = self.subscriptions.get(client_id)
        if sub is None:
            raise KeyError(client_id)
        sub.url, sub.key, sub.status = url, key, "UNVERIFIED"
        return await self.intent_to_receive(client_id)

    async def intent_to_receive(self, client_id: str) -> dict[str, Any]:
        """Send correctly and incorrectly signed empty payloads; 200/401 must come back."""
        sub = self.subscriptions[client_id]
        if not sub.url or not sub.key:
            return {
                "passed": False,
                "status": sub.status,
                "attempts": [],
                "reason": "no webhook url/key",
            }
        count = max(2, self.config.itr_attempts)
        plan = [i % 2 == 0 for i in range(count)]
        random.shuffle(plan)
        attempts = []
        for valid in plan:
            body = json.dumps(
                {
                    "events": [],
                    "lastEventSequence": 0,
                    "firstEventSequence": 0,
                    "entropy": _entropy(),
                }
            ).encode()
            signature = sign(sub.key, body) if valid else sign(sub.key + "-wrong", body)
            response = await self._post(sub.url, body, signature)
            status = response.status_code if response is not None else None
            empty = response is not None and response.content == b""
            ok = (status == 200 and empty) if valid else status == 401
            attempts.append(
                {"signedCorrectly": valid, "status": status, "emptyBody": empty, "ok": ok}
            )
        passed = all(a["ok"] for a in attempts)
        sub.status = "OK" if passed else "UNVERIFIED"
        return {"passed": passed, "status": sub.status, "attempts": attempts}
