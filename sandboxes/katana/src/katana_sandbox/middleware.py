"""Raw ASGI middleware: fault injection, bearer auth, per-key rate limit and stats."""

from __future__ import annotations

import asyncio
import json
import math
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from katana_sandbox.errors import error_body

Scope = dict[str, Any]


@dataclass
class Faults:
    """Armed faults. Counters decrement per affected ``/v1`` request."""

    burst_429: int = 0
    error_500: int = 0
    error_500_rate: float = 0.0
    delay_s: float = 0.0
    drop: int = 0
    po_create_mode: str | None = None
    po_create_count: int = 0
    po_create_delay_s: float = 0.0


@dataclass
class Stats:
    """Request counters for tests and benchmarks."""

    requests: Counter[str] = field(default_factory=Counter)
    throttled: Counter[str] = field(default_factory=Counter)
    faults: Counter[str] = field(default_factory=Counter)

    def as_json(self) -> dict[str, Any]:
        """Plain JSON view."""
        return {
            "requests": dict(self.requests),
            "throttled_429": dict(self.throttled),
            "faults": dict(self.faults),
            "total_requests": sum(self.requests.values()),
            "total_429": sum(self.throttled.values()),
        }


@dataclass
class _Window:
    start: float
    count: int = 0


def drop_connection(send: Any) -> bool:
    """Close the client socket without a response (uvicorn); False if not possible."""
    cycle: Any = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None:
        return False
    transport.abort()
    if hasattr(cycle, "disconnected"):
        cycle.disconnected = True
    if hasattr(cycle, "response_complete"):
        cycle.response_complete = True
    return True


READS = ("GET", "HEAD", "OPTIONS")


class SandboxMiddleware:
    """Wraps the FastAPI app; only ``/v1`` paths are affected, except that every
    non-read request (any path) calls ``on_write`` when it starts and when its response
    starts, so list indexes never outlive a data change."""

    def __init__(
        self,
        app: Any,
        keys: set[str],
        limit: int,
        window_s: float,
        faults: Faults,
        stats: Stats,
        wrap_errors: bool,
        seed: int = 0,
        on_write: Callable[[], None] = lambda: None,
    ) -> None:
        self.app = app
        self.on_write = on_write
        self.keys = keys
        self.limit = limit
        self.window_s = window_s
        self.faults = faults
        self.stats = stats
        self.wrap = wrap_errors
        self.rng = random.Random(seed)
        self.windows: dict[str, _Window] = {}

    async def _reply(self, send: Any, status: int, headers: dict[str, str] | None = None) -> None:
        body = json.dumps(error_body(status, wrapped=self.wrap)).encode()
        hdrs = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]
        hdrs += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
        await send({"type": "http.response.start", "status": status, "headers": hdrs})
        await send({"type": "http.response.body", "body": body})

    def _rate(self, key: str) -> tuple[bool, dict[str, str]]:
        now = time.time()
        win = self.windows.get(key)
        if win is None or now >= win.start + self.window_s:
            win = self.windows[key] = _Window(start=now)
        win.count += 1
        reset = win.start + self.window_s
        headers = {
            "X-Ratelimit-Limit": str(self.limit),
            "X-Ratelimit-Remaining": str(max(self.limit - win.count, 0)),
            "X-Ratelimit-Reset": str(int(reset * 1000)),
        }
        if win.count > self.limit:
            headers["Retry-After"] = str(max(1, math.ceil(reset - now)))
            return False, headers
        return True, headers

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        raw_send = send
        if scope["type"] == "http" and scope["method"] not in READS:
            self.on_write()

            async def send_after_write(message: dict[str, Any]) -> None:
                if message["type"] == "http.response.start":
                    self.on_write()
                await raw_send(message)

            send = send_after_write
        if scope["type"] != "http" or not scope["path"].startswith("/v1"):
            await self.app(scope, receive, send)
            return
        f = self.faults
        if f.drop > 0:
            f.drop -= 1
            self.stats.faults["drop"] += 1
            if drop_connection(raw_send):
                return
        if f.error_500 > 0 or (f.error_500_rate and self.rng.random() < f.error_500_rate):
            f.error_500 = max(f.error_500 - 1, 0)
            self.stats.faults["500"] += 1
            await self._reply(send, 500)
            return
        if f.delay_s > 0:
            self.stats.faults["delay"] += 1
            await asyncio.sleep(f.delay_s)
        headers = dict(scope["headers"])
        auth = headers.get(b"authorization", b"").decode()
        key = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
        if key not in self.keys:
            await self._reply(send, 401)
            return
        self.stats.requests[key] += 1
        if f.burst_429 > 0:
            f.burst_429 -= 1
            self.stats.faults["429"] += 1
            self.stats.throttled[key] += 1
            await self._reply(send, 429, {"Retry-After": "1"})
            return
        rate_headers: dict[str, str] = {}
        if self.limit > 0:
            ok, rate_headers = self._rate(key)
            if not ok:
                self.stats.throttled[key] += 1
                await self._reply(send, 429, rate_headers)
                return
        scope.setdefault("state", {})["api_key"] = key
        extra = [(k.lower().encode(), v.encode()) for k, v in rate_headers.items()]

        async def send_with_headers(message: dict[str, Any]) -> None:
            state = scope.get("state", {})
            if state.get("drop_response"):
                if message["type"] == "http.response.start" and drop_connection(raw_send):
                    state["dropped"] = True
                if state.get("dropped"):
                    return
            if state.get("delay_response") and message["type"] == "http.response.start":
                await asyncio.sleep(state["delay_response"])
            if message["type"] == "http.response.start":
                message = dict(message, headers=list(message.get("headers", [])) + extra)
            await send(message)

        await self.app(scope, receive, send_with_headers)
