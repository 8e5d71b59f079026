"""Correlation ids and per-route HTTP metrics (pure ASGI, no body buffering)."""

from __future__ import annotations

import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from platform_kit.logging import correlation_id_var
from platform_kit.metrics import KitMetrics

HEADER = b"x-correlation-id"


class CorrelationAndMetricsMiddleware:
    """Reads or mints ``X-Correlation-ID``, echoes it, records request metrics and answers
    ``Server-Timing: app;dur=<ms>`` (time spent in the service until the response starts)."""

    def __init__(self, app: ASGIApp, metrics: KitMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers") or []).get(HEADER)
        cid = incoming.decode()[:100] if incoming else uuid.uuid4().hex
        token = correlation_id_var.set(cid)
        status = {"code": 500}
        started = time.perf_counter()

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                headers = list(message.get("headers", []))
                headers.append((HEADER, cid.encode()))
                elapsed_ms = (time.perf_counter() - started) * 1000
                headers.append((b"server-timing", f"app;dur={elapsed_ms:.2f}".encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = _route_template(scope)
            method = scope.get("method", "GET")
            self.metrics.http_requests.labels(
                method=method, route=route, status=str(status["code"])
            ).inc()
            self.metrics.http_latency.labels(method=method, route=route).observe(
                time.perf_counter() - started
            )
            correlation_id_var.reset(token)


def _route_template(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "unmatched"
