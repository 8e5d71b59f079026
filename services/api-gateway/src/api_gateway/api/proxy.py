"""The public API below ``/api/v1``: verify the caller, forward to the owning service with a
short-lived internal token, relay the answer. Also the public provider callbacks
(forwarded unchanged, no caller identity) and the merged OpenAPI document."""

from __future__ import annotations

import httpx
from fastapi import APIRouter, Request, Response

from api_gateway.api.deps import authenticated
from api_gateway.domain.model import Identity
from api_gateway.domain.routes import API_PREFIX, Target, public_path, resolve
from api_gateway.domain.templates import match
from api_gateway.handlers.gateway import front_of, internal_token
from platform_kit.http.problems import Problem
from platform_kit.logging import correlation_id_var
from platform_kit.service import get_runtime

router = APIRouter()
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]

FORWARD_HEADERS = (
    "accept",
    "content-type",
    "if-match",
    "if-none-match",
    "idempotency-key",
    "x-confirm-tenant-deletion",
)
RETURN_HEADERS = (
    "etag",
    "location",
    "retry-after",
    "content-type",
    "content-disposition",
    "cache-control",
    "last-modified",
)
HOP_BY_HOP = frozenset(
    {
        "host",
        "connection",
        "keep-alive",
        "transfer-encoding",
        "te",
        "upgrade",
        "content-length",
        "authorization",
        "cookie",
        "proxy-authorization",
        "x-correlation-id",
    }
)


@router.get(API_PREFIX + "/openapi.json", include_in_schema=False)
async def public_openapi(request: Request) -> Response:
    """The merged OpenAPI 3.1 document of the public API (public)."""
    return Response(
        front_of(get_runtime(request)).document,
        media_type="application/json",
        headers={"Cache-Control": "public, max-age=300"},
    )


@router.api_route(API_PREFIX + "/{rest:path}", methods=METHODS, include_in_schema=False)
async def api(request: Request) -> Response:
    """Every service operation of the public API (see ``domain/routes.py``)."""
    path = request.url.path
    target = resolve(_raw_path(request))
    identity = await authenticated(request)
    template, allowed = match(front_of(get_runtime(request)).templates, request.method, path)
    if target is None or target.public or template is None:
        raise Problem(404, "Not found", f"no public operation at {path}")
    if not allowed:
        raise Problem(405, "Method not allowed", f"{request.method} is not allowed on {template}")
    request.state.route_template = template
    return await forward(request, target, identity)


@router.post("/webhooks/katana/{opaque_id}", include_in_schema=False)
@router.post("/webhooks/xero", include_in_schema=False)
@router.get("/oauth/xero/callback", include_in_schema=False)
async def provider_callback(request: Request) -> Response:
    """Provider callbacks (public; each connector checks the provider's signature/state)."""
    target = resolve(_raw_path(request))
    if target is None or not target.public:
        raise Problem(404, "Not found")
    return await forward(request, target, None)


def _raw_path(request: Request) -> str:
    """The path as sent (still percent-encoded), so it is forwarded byte for byte."""
    raw = request.scope.get("raw_path")
    return raw.decode("ascii", errors="replace") if raw else request.url.path


async def forward(request: Request, target: Target, identity: Identity | None) -> Response:
    """Send the request on; 502/503/504 problems when the service fails to answer."""
    runtime = get_runtime(request)
    if identity is None:
        headers = {k: v for k, v in request.headers.items() if k not in HOP_BY_HOP}
    else:
        headers = {k: request.headers[k] for k in FORWARD_HEADERS if k in request.headers}
        headers["authorization"] = "Bearer " + internal_token(runtime, identity)
    headers["x-correlation-id"] = correlation_id_var.get() or ""
    body = await request.body()
    try:
        answer = await front_of(runtime).upstreams.send(
            target.service,
            request.method,
            target.path,
            request.url.query.encode(),
            headers,
            body,
        )
    except httpx.TimeoutException as exc:
        raise Problem(504, "Gateway timeout", f"{target.service} did not answer in time") from exc
    except httpx.ConnectError as exc:
        raise Problem(
            503, "Service unavailable", f"{target.service} is not reachable", service=target.service
        ) from exc
    except httpx.TransportError as exc:
        raise Problem(502, "Bad gateway", f"{target.service} failed: {type(exc).__name__}") from exc
    relayed = {k: answer.headers[k] for k in RETURN_HEADERS if k in answer.headers}
    if identity is not None and relayed.get("location", "").startswith("/"):
        rewritten = public_path(target.service, relayed["location"].split("?")[0])
        if rewritten is not None:
            query = relayed["location"].partition("?")[2]
            relayed["location"] = rewritten + (f"?{query}" if query else "")
    return Response(answer.content, status_code=answer.status_code, headers=relayed)
