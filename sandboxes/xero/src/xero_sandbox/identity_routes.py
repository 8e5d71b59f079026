"""Identity routes: authorize + consent page, token endpoint, revocation, connections."""

from __future__ import annotations

import base64
import binascii
import html
import secrets
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from xero_sandbox.errors import problem
from xero_sandbox.msdates import iso_identity
from xero_sandbox.oauth import KNOWN_SCOPES, AccessRecord, OAuthError
from xero_sandbox.runtime import Sandbox, sandbox_of

router = APIRouter()


def _redirect(redirect_uri: str, params: dict[str, str]) -> RedirectResponse:
    sep = "&" if "?" in redirect_uri else "?"
    return RedirectResponse(f"{redirect_uri}{sep}{urlencode(params)}", status_code=302)


def _error_page(message: str) -> HTMLResponse:
    body = f"<html><body><h1>Xero sandbox</h1><p>{html.escape(message)}</p></body></html>"
    return HTMLResponse(body, status_code=400)


def _consent_page(sandbox: Sandbox, request_id: str, client_id: str, scopes: str) -> HTMLResponse:
    boxes = "".join(
        f'<label><input type="checkbox" name="tenant" value="{html.escape(tid)}" checked> '
        f"{html.escape(name)}</label><br>"
        for tid, name in sandbox.identity.tenants.items()
    )
    body = (
        "<html><head><title>Xero sandbox - allow access</title></head><body>"
        f"<h1>{html.escape(client_id)} wants access to</h1><p>{html.escape(scopes)}</p>"
        '<form method="post" action="/identity/connect/authorize/consent">'
        f'<input type="hidden" name="request_id" value="{request_id}">{boxes}'
        '<button name="decision" value="allow">Allow access</button> '
        '<button name="decision" value="deny">Cancel</button></form></body></html>'
    )
    return HTMLResponse(body)


@router.get("/identity/connect/authorize", response_model=None)
async def authorize(request: Request) -> Response:
    """Start the authorization-code flow (consent page, or straight back with auto-consent)."""
    sandbox = sandbox_of(request)
    q = request.query_params
    app = sandbox.config.client(q.get("client_id"))
    redirect_uri = q.get("redirect_uri", "")
    if app is None:
        return _error_page("unauthorized_client: unknown client_id")
    if redirect_uri not in app.redirect_uris:
        return _error_page("invalid redirect_uri")
    state = q.get("state")
    extra = {"state": state} if state is not None else {}
    scopes = tuple(q.get("scope", "").split())
    challenge = q.get("code_challenge")
    if q.get("response_type") != "code":
        return _redirect(redirect_uri, {"error": "unsupported_response_type", **extra})
    if not scopes or any(s not in KNOWN_SCOPES for s in scopes):
        return _redirect(redirect_uri, {"error": "invalid_scope", **extra})
    if challenge is not None and q.get("code_challenge_method") != "S256":
        return _redirect(redirect_uri, {"error": "invalid_request", **extra})
    if app.client_secret is None and challenge is None:
        return _redirect(redirect_uri, {"error": "invalid_request", **extra})
    identity = sandbox.identity
    if identity.auto_consent:
        chosen = list(identity.auto_consent_tenants or identity.tenants)
        code = identity.issue_code(app.client_id, redirect_uri, scopes, challenge, chosen)
        return _redirect(redirect_uri, {"code": code, "scope": " ".join(scopes), **extra})
    request_id = secrets.token_urlsafe(16)
    identity.pending[request_id] = {
        "client_id": app.client_id,
        "redirect_uri": redirect_uri,
        "scope": " ".join(scopes),
        "state": state or "",
        "code_challenge": challenge or "",
    }
    return _consent_page(sandbox, request_id, app.client_id, " ".join(scopes))


@router.post("/identity/connect/authorize/consent", response_model=None)
async def consent(request: Request) -> Response:
    """Consent form submission: connect the ticked organisations and redirect with a code."""
    sandbox = sandbox_of(request)
    form = await request.form()
    pending = sandbox.identity.pending.pop(str(form.get("request_id", "")), None)
    if pending is None:
        return _error_page("consent request expired")
    extra = {"state": pending["state"]} if pending["state"] else {}
    tenants = [str(t) for t in form.getlist("tenant") if str(t) in sandbox.identity.tenants]
    if form.get("decision") != "allow" or not tenants:
        return _redirect(pending["redirect_uri"], {"error": "access_denied", **extra})
    code = sandbox.identity.issue_code(
        pending["client_id"],
        pending["redirect_uri"],
        tuple(pending["scope"].split()),
        pending["code_challenge"] or None,
        tenants,
    )
    return _redirect(pending["redirect_uri"], {"code": code, "scope": pending["scope"], **extra})


def _client_auth(request: Request, form: dict[str, str]) -> tuple[str, bool]:
    """Return (client_id, authenticated-with-secret); raise OAuthError on bad credentials."""
    sandbox = sandbox_of(request)
    client_id, secret = form.get("client_id"), form.get("client_secret")
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(header[6:].strip()).decode()
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise OAuthError("invalid_client") from exc
        client_id, _, secret = decoded.partition(":")
    app = sandbox.config.client(client_id)
    if app is None or client_id is None:
        raise OAuthError("invalid_client")
    if secret:
        if app.client_secret is None or not secrets.compare_digest(secret, app.client_secret):
            raise OAuthError("invalid_client")
        return client_id, True
    return client_id, False


def _oauth_error(exc: OAuthError) -> JSONResponse:
    body: dict[str, Any] = {"error": exc.error}
    if exc.description:
        body["error_description"] = exc.description
    return JSONResponse(body, status_code=400, headers={"Cache-Control": "no-store"})


@router.post("/connect/token")
async def token(request: Request) -> JSONResponse:
    """Token endpoint: ``authorization_code`` (secret or PKCE) and ``refresh_token`` grants."""
    sandbox = sandbox_of(request)
    form = {k: str(v) for k, v in (await request.form()).items()}
    try:
        client_id, authenticated = _client_auth(request, form)
        grant_type = form.get("grant_type")
        if grant_type == "authorization_code":
            if "code" not in form:
                raise OAuthError("invalid_request")
            result = sandbox.identity.exchange_code(
                client_id,
                authenticated,
                form["code"],
                form.get("redirect_uri"),
                form.get("code_verifier"),
            )
        elif grant_type == "refresh_token":
            if "refresh_token" not in form:
                raise OAuthError("invalid_request")
            result = sandbox.identity.refresh_grant(client_id, authenticated, form["refresh_token"])
        else:
            raise OAuthError("unsupported_grant_type")
    except OAuthError as exc:
        return _oauth_error(exc)
    return JSONResponse(result, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


@router.post("/connect/revocation", response_model=None)
async def revocation(request: Request) -> Response:
    """Revoke a refresh token: removes all of the user's connections for the app."""
    sandbox = sandbox_of(request)
    form = {k: str(v) for k, v in (await request.form()).items()}
    try:
        client_id, _ = _client_auth(request, form)
    except OAuthError as exc:
        return _oauth_error(exc)
    if "token" not in form:
        return _oauth_error(OAuthError("invalid_request"))
    sandbox.identity.revoke(client_id, form["token"])
    return Response(status_code=200)


def _connection_json(conn: Any) -> dict[str, Any]:
    return {
        "id": conn.id,
        "authEventId": conn.auth_event_id,
        "tenantId": conn.tenant_id,
        "tenantType": "ORGANISATION",
        "tenantName": conn.tenant_name,
        "createdDateUtc": iso_identity(conn.created),
        "updatedDateUtc": iso_identity(conn.updated),
    }


@router.get("/connections")
@router.get("/Connections", include_in_schema=False)
async def get_connections(request: Request, authEventId: str | None = None) -> JSONResponse:
    """The tenants this user connected to the calling app."""
    sandbox = sandbox_of(request)
    access: AccessRecord = request.state.access
    conns = sandbox.identity.connections.get(access.grant.client_id, {}).values()
    rows = [_connection_json(c) for c in conns if authEventId in (None, c.auth_event_id)]
    return JSONResponse(rows)


@router.delete("/connections/{connection_id}", response_model=None)
@router.delete("/Connections/{connection_id}", include_in_schema=False, response_model=None)
async def delete_connection(request: Request, connection_id: str) -> Response:
    """Disconnect one tenant (by connection id, not tenant id)."""
    sandbox = sandbox_of(request)
    access: AccessRecord = request.state.access
    conns = sandbox.identity.connections.get(access.grant.client_id, {})
    for tenant_id, conn in list(conns.items()):
        if conn.id == connection_id:
            del conns[tenant_id]
            return Response(status_code=204)
    return problem(404, "The resource you're looking for cannot be found")
