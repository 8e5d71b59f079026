"""Public routes (allowlisted, no internal token): the OAuth callback and Xero's webhook."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse

from connector_xero.api.deps import XeroDeps
from connector_xero.domain.errors import NeedsReauthorisation, ProviderRejected, StateInvalid
from connector_xero.handlers import connect, webhooks
from platform_kit.http.problems import Problem

router = APIRouter(tags=["public"])


@router.get("/oauth/xero/callback", operation_id="xeroOauthCallback", response_model=None)
async def oauth_callback(
    deps: XeroDeps,
    state: str | None = None,
    code: str | None = None,
    error: str | None = None,
) -> Response:
    """Xero's redirect after consent: bound to the server-side ``state`` (single use)."""
    if not state:
        raise Problem(400, "Invalid callback", "state missing")
    if error or not code:
        raise Problem(400, "Authorization denied", error or "code missing")
    try:
        result = await connect.complete_authorization(deps, state, code)
    except StateInvalid as exc:
        raise Problem(400, "Invalid state", str(exc)) from exc
    except (NeedsReauthorisation, ProviderRejected) as exc:
        raise Problem(400, "Code exchange failed", str(exc)) from exc
    body = {
        "grant_id": str(result["grant_id"]),
        "organisations": [
            {"xero_tenant_id": o["tenantId"], "name": o.get("tenantName")}
            for o in result["organisations"]
        ],
    }
    if deps.settings.ui_return_url:
        return RedirectResponse(
            f"{deps.settings.ui_return_url}?{urlencode({'grant_id': body['grant_id']})}", 303
        )
    return JSONResponse(body)


@router.post("/webhooks/xero", operation_id="xeroWebhook", response_model=None)
async def xero_webhook(request: Request, deps: XeroDeps) -> Response:
    """App-level webhook: 401 on a bad signature, 200 with an empty body otherwise."""
    body = await request.body()
    ok = await webhooks.receive(deps, body, request.headers.get("x-xero-signature"))
    return Response(status_code=200 if ok else 401)
