"""ASGI middleware in front of the API: auth, tenant check, scopes, faults and limits."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from xero_sandbox.errors import DropConnection, problem_body
from xero_sandbox.faults import Faults
from xero_sandbox.runtime import Sandbox

API_PREFIX = "/api.xro/2.0/"

_READ_SCOPES = {
    "organisation": {"accounting.settings", "accounting.settings.read"},
    "items": {
        "accounting.settings",
        "accounting.settings.read",
        "accounting.invoices",
        "accounting.invoices.read",
    },
    "contacts": {"accounting.contacts", "accounting.contacts.read"},
}
_TRANSACTION_READ = {
    "accounting.transactions",
    "accounting.transactions.read",
    "accounting.invoices",
    "accounting.invoices.read",
}
_TRANSACTION_WRITE = {"accounting.transactions", "accounting.invoices"}


class ConnectionDroppedError(Exception):
    """Raised after a partial response so that the server closes the connection."""


def _scope_allows(resource: str, method: str, scopes: tuple[str, ...]) -> bool:
    granted = set(scopes)
    if resource in _READ_SCOPES:
        allowed = _READ_SCOPES[resource]
        if method != "GET":
            allowed = {s for s in allowed if not s.endswith(".read")}
        return bool(granted & allowed)
    return bool(granted & (_TRANSACTION_READ if method == "GET" else _TRANSACTION_WRITE))


async def _respond(send: Send, status: int, body: Any, headers: dict[str, str]) -> None:
    payload = json.dumps(body).encode()
    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    raw += [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": payload})


async def _drop(send: Send) -> None:
    start = [(b"content-type", b"application/json"), (b"content-length", b"4096")]
    await send({"type": "http.response.start", "status": 200, "headers": start})
    await send({"type": "http.response.body", "body": b'{"Id":', "more_body": True})
    raise ConnectionDroppedError("sandbox fault: connection dropped")


class ApiGate:
    """Guards ``/api.xro/2.0/*`` (tenant-scoped) and ``/connections`` (tenant-less)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI call."""
        path = scope.get("path", "")
        tenant_scoped = path.startswith(API_PREFIX)
        if scope["type"] != "http" or not (
            tenant_scoped or path.lower().startswith("/connections")
        ):
            await self.app(scope, receive, send)
            return
        sandbox: Sandbox = scope["app"].state.sandbox
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        auth = headers.get("authorization", "")
        found = (
            sandbox.identity.authenticate(auth[7:].strip())
            if auth[:7].lower() == "bearer "
            else None
        )
        if found is None or isinstance(found, str):
            detail = found or "AuthenticationUnsuccessful"
            extra = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
            await _respond(send, 401, problem_body(401, detail), extra)
            return
        client_id = found.grant.client_id
        tenant_id: str | None = None
        state = scope.setdefault("state", {})
        state["access"] = found
        if tenant_scoped:
            tenant_id = headers.get("xero-tenant-id", "").strip().lower() or None
            resource = path[len(API_PREFIX) :].split("/")[0].lower()
            org = sandbox.orgs.get(tenant_id or "")
            if (
                tenant_id is None
                or org is None
                or sandbox.identity.connection_for(client_id, tenant_id) is None
                or not _scope_allows(resource, scope["method"], found.grant.scopes)
            ):
                await _respond(send, 403, problem_body(403, "AuthorizationUnsuccessful"), {})
                return
            state["org"] = org
        await self._guarded(sandbox, client_id, tenant_id, scope, receive, send)

    async def _guarded(
        self,
        sandbox: Sandbox,
        client_id: str,
        tenant_id: str | None,
        scope: Scope,
        receive: Receive,
        send: Send,
    ) -> None:
        faults, stats, limiter = sandbox.faults, sandbox.stats, sandbox.limiter
        fire, faults.burst_429 = Faults.take(faults.burst_429)
        if fire:
            stats.count_429(tenant_id, "minute")
            headers = limiter.headers(client_id, tenant_id)
            headers.update(
                {"Retry-After": str(faults.burst_429_retry_after), "X-Rate-Limit-Problem": "minute"}
            )
            await _respond(send, 429, problem_body(429, "Rate limit exceeded"), headers)
            return
        rejection = limiter.acquire(client_id, tenant_id)
        if rejection is not None:
            stats.count_429(tenant_id, rejection.problem)
            headers = limiter.headers(client_id, tenant_id)
            headers["X-Rate-Limit-Problem"] = rejection.problem
            headers["Retry-After"] = str(rejection.retry_after or 1)
            await _respond(send, 429, problem_body(429, "Rate limit exceeded"), headers)
            return
        stats.count_call(tenant_id)
        try:
            await self._faulted(sandbox, client_id, tenant_id, scope, receive, send)
        finally:
            limiter.release(tenant_id)

    async def _faulted(
        self,
        sandbox: Sandbox,
        client_id: str,
        tenant_id: str | None,
        scope: Scope,
        receive: Receive,
        send: Send,
    ) -> None:
        faults = sandbox.faults
        slow, faults.slow_calls = Faults.take(faults.slow_calls)
        if slow and faults.slow_seconds > 0:
            await asyncio.sleep(faults.slow_seconds)
        drop, faults.drop_connections = Faults.take(faults.drop_connections)
        if drop:
            sandbox.stats.dropped += 1
            await _drop(send)
        fail, faults.errors_500 = Faults.take(faults.errors_500)
        if fail:
            sandbox.stats.errors_500 += 1
            body = {
                "ErrorNumber": 500,
                "Type": "UnknownErrorException",
                "Message": "An error occurred",
            }
            await _respond(send, 500, body, sandbox.limiter.headers(client_id, tenant_id))
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = sandbox.limiter.headers(client_id, tenant_id)
                message["headers"] = [
                    *message.get("headers", []),
                    *((k.lower().encode(), v.encode()) for k, v in extra.items()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except DropConnection:
            sandbox.stats.dropped += 1
            await _drop(send)
