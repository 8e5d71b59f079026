"""Pure ASGI middleware of the public edge: body size limit (413), security headers on
every response, and the audit row of every API write. CORS is Starlette's middleware,
configured in ``app.py``."""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api_gateway.handlers.gateway import record_write

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
AUDITED_PREFIXES = ("/api/", "/v1/")
HTML_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; font-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


async def _problem(send: Send, status: int, title: str, detail: str) -> None:
    body = json.dumps({"type": "about:blank", "title": title, "status": status, "detail": detail})
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/problem+json"), (b"connection", b"close")],
        }
    )
    await send({"type": "http.response.body", "body": body.encode()})


class BodyLimit:
    """413 for request bodies over ``max_bytes`` (declared or streamed)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await _problem(send, 413, "Payload too large", f"the limit is {self.max_bytes} bytes")
            return
        if declared is not None:
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            more = bool(message.get("more_body"))
            if size > self.max_bytes:
                await self._refuse(receive, send, more, size)
                return
            chunks.append(chunk)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": b"".join(chunks), "more_body": False}

        await self.app(scope, replay, send)

    async def _refuse(self, receive: Receive, send: Send, more: bool, size: int) -> None:
        """413 once the rest of a moderately oversized body is read and dropped (so the
        client sees the answer); a body past ten times the limit is cut off."""
        while more and size <= 10 * self.max_bytes:
            message = await receive()
            size += len(message.get("body", b""))
            more = message["type"] == "http.request" and bool(message.get("more_body"))
        await _problem(send, 413, "Payload too large", f"the limit is {self.max_bytes} bytes")


class SecurityHeaders:
    """nosniff and referrer policy everywhere; HSTS over https; frame and content policy on
    HTML unless the page set its own."""

    def __init__(self, app: ASGIApp, https: bool) -> None:
        self.app = app
        self.https = https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        secure = self.https or scope.get("scheme") == "https"

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                extra = [
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                ]
                if secure:
                    extra.append((b"strict-transport-security", b"max-age=31536000"))
                content_type = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                if content_type.startswith(b"text/html"):
                    extra.append((b"x-frame-options", b"DENY"))
                    extra.append((b"content-security-policy", HTML_CSP.encode()))
                headers.extend((k, v) for k, v in extra if k not in names)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_wrapper)


class AuditWrites:
    """After each write below ``/api/`` or ``/v1/`` answered, record who (the identity the
    bearer check left on the request), tenant, method, route template, status and
    correlation id. Unauthenticated refusals (401) are not writes and are not recorded."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if (
            scope["type"] != "http"
            or scope.get("method") not in WRITES
            or not path.startswith(AUDITED_PREFIXES)
        ):
            await self.app(scope, receive, send)
            return
        seen: dict[str, Any] = {"status": 500, "cid": ""}

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                seen["status"] = message["status"]
                for name, value in message.get("headers", []):
                    if name.lower() == b"x-correlation-id":
                        seen["cid"] = value.decode()
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            state = scope.get("state") or {}
            identity = state.get("identity")
            if identity is not None or seen["status"] != 401:
                route = str(
                    state.get("route_template") or getattr(scope.get("route"), "path", path)
                )
                if path.startswith("/api/") and not route.startswith("/api/"):
                    route = "/api" + route  # own routes mounted again below /api
                runtime = scope["app"].state.runtime
                await record_write(
                    runtime,
                    identity,
                    {
                        "method": scope["method"],
                        "route": route,
                        "status": seen["status"],
                        "correlation_id": seen["cid"],
                    },
                )
