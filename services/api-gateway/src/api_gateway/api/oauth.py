"""Public OAuth 2.0 / OpenID Connect routes: authorize + login page, token, revocation,
JWKS and discovery (the §3 allowlist; no bearer token needed)."""

from __future__ import annotations

import hmac
import secrets
from typing import Any
from urllib.parse import urlencode

from authlib.oauth2.rfc6749.errors import OAuth2Error
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from api_gateway.api.deps import ContextDep
from api_gateway.api.oauth_http import (
    StarletteOAuth2Request,
    client_ip,
    oauth_request,
    to_response,
)
from api_gateway.api.pages import error_page, login_page
from api_gateway.domain.errors import Throttled, Unauthenticated
from api_gateway.handlers import accounts
from api_gateway.handlers.oauth_models import User
from api_gateway.handlers.oauth_server import SCOPES, run_oauth
from platform_kit.http.deps import RuntimeDep

router = APIRouter(tags=["oauth"])
CSRF_COOKIE = "restock_login_csrf"


def _login_response(
    request: Request,
    ctx: ContextDep,
    *,
    status: int = 200,
    email: str = "",
    error: str | None = None,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    csrf = secrets.token_urlsafe(24)
    action = "/login?" + urlencode(list(request.query_params.multi_items()))
    response = HTMLResponse(
        login_page(action, csrf, email=email, error=error), status_code=status, headers=headers
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'"
    )
    response.set_cookie(
        CSRF_COOKIE,
        csrf,
        httponly=True,
        samesite="lax",
        path="/login",
        secure=ctx.settings.issuer.startswith("https://"),
    )
    return response


async def _validate(runtime: Any, ctx: ContextDep, oauth_req: StarletteOAuth2Request) -> Any:
    """Validate the authorization request; an Authlib response tuple on error, else None."""
    server = ctx.oauth

    def check() -> Any:
        try:
            server.get_consent_grant(oauth_req)
        except OAuth2Error as error:
            if getattr(error, "redirect_uri", None):
                return server.handle_error_response(oauth_req, error)
            return (400, error.get_body(), [])
        return None

    async with runtime.uow() as uow:
        return await run_oauth(uow, ctx, check)


def _authorize_error(result: Any) -> Response:
    status, body, _headers = result
    if status == 302:
        return to_response(result)
    detail = dict(body).get("error_description") or dict(body).get("error", "invalid request")
    return HTMLResponse(error_page("Cannot sign in", str(detail)), status_code=status)


@router.get("/oauth/authorize", operation_id="oauth_authorize", response_class=HTMLResponse)
async def authorize(request: Request, runtime: RuntimeDep, ctx: ContextDep) -> Response:
    """Authorization endpoint (code + PKCE): validates the request, shows the sign-in page."""
    error = await _validate(
        runtime, ctx, await oauth_request(request, ctx.settings.issuer, use_form=False)
    )
    if error is not None:
        return _authorize_error(error)
    return _login_response(request, ctx)


@router.get("/login", operation_id="login_page", response_class=HTMLResponse)
async def login_form(request: Request, runtime: RuntimeDep, ctx: ContextDep) -> Response:
    """The sign-in page for an authorization request carried in the query string."""
    return await authorize(request, runtime, ctx)


@router.post("/login", operation_id="login", response_class=HTMLResponse)
async def login(request: Request, runtime: RuntimeDep, ctx: ContextDep) -> Response:
    """Check the password (throttled), then answer the authorization request with a code."""
    form = await request.form()
    email = str(form.get("email", ""))
    password = str(form.get("password", ""))
    sent = str(form.get("csrf_token", ""))
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if not cookie or not hmac.compare_digest(sent, cookie):
        return _login_response(
            request, ctx, status=400, email=email, error="The form expired; try again."
        )
    oauth_req = await oauth_request(request, ctx.settings.issuer, use_form=False)
    error = await _validate(runtime, ctx, oauth_req)
    if error is not None:
        return _authorize_error(error)
    tenant = request.query_params.get("tenant_id")
    try:
        async with runtime.uow() as uow:
            import uuid

            signed_in = await accounts.login(
                uow,
                ctx,
                email=email,
                password=password,
                ip=client_ip(request, ctx.settings.trusted_proxy_hops),
                tenant_id=uuid.UUID(tenant) if tenant else None,
            )
    except Throttled as exc:
        return _login_response(
            request,
            ctx,
            status=429,
            email=email,
            error=str(exc),
            headers={"Retry-After": str(exc.retry_after_s)},
        )
    except (Unauthenticated, ValueError):
        return _login_response(
            request, ctx, status=401, email=email, error="Wrong email or password."
        )
    user = User(signed_in.user_id, signed_in.tenant_id, signed_in.role, signed_in.email)
    server = ctx.oauth

    def respond() -> Any:
        grant = server.get_consent_grant(oauth_req, end_user=user)
        return server.create_authorization_response(oauth_req, grant_user=user, grant=grant)

    async with runtime.uow() as uow:
        result = await run_oauth(uow, ctx, respond)
    response = to_response(result)
    response.delete_cookie(CSRF_COOKIE, path="/login")
    return response


@router.post("/oauth/token", operation_id="oauth_token")
async def token(request: Request, runtime: RuntimeDep, ctx: ContextDep) -> Response:
    """Token endpoint: authorization_code, refresh_token (rotating), client_credentials."""
    oauth_req = await oauth_request(request, ctx.settings.issuer)
    async with runtime.uow() as uow:
        result = await run_oauth(uow, ctx, lambda: ctx.oauth.create_token_response(oauth_req))
    return to_response(result)


@router.post("/oauth/revoke", operation_id="oauth_revoke")
async def revoke(request: Request, runtime: RuntimeDep, ctx: ContextDep) -> Response:
    """RFC 7009 revocation of a refresh token (its whole family) or an access token."""
    oauth_req = await oauth_request(request, ctx.settings.issuer)
    async with runtime.uow() as uow:
        result = await run_oauth(
            uow, ctx, lambda: ctx.oauth.create_endpoint_response("revocation", oauth_req)
        )
    return to_response(result)


@router.get("/.well-known/jwks.json", operation_id="jwks")
async def jwks(ctx: ContextDep) -> JSONResponse:
    """Public keys of the access tokens: the current, the next and the previous key."""
    return JSONResponse(await ctx.keys.jwks(), headers={"Cache-Control": "public, max-age=60"})


def _metadata(ctx: ContextDep) -> dict[str, Any]:
    base = ctx.settings.issuer
    return {
        "issuer": base,
        "authorization_endpoint": f"{base}/oauth/authorize",
        "token_endpoint": f"{base}/oauth/token",
        "revocation_endpoint": f"{base}/oauth/revoke",
        "jwks_uri": f"{base}/.well-known/jwks.json",
        "userinfo_endpoint": f"{base}/v1/me",
        "scopes_supported": SCOPES,
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": [
            "client_secret_basic",
            "client_secret_post",
            "none",
        ],
        "revocation_endpoint_auth_methods_supported": [
            "client_secret_basic",
            "client_secret_post",
            "none",
        ],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "claims_supported": ["sub", "email", "tenant_id", "roles"],
    }


@router.get("/.well-known/openid-configuration", operation_id="openid_configuration")
async def openid_configuration(ctx: ContextDep) -> dict[str, Any]:
    """OpenID Connect discovery document."""
    return _metadata(ctx)


@router.get("/.well-known/oauth-authorization-server", operation_id="oauth_metadata")
async def oauth_metadata(ctx: ContextDep) -> dict[str, Any]:
    """RFC 8414 authorization server metadata."""
    return _metadata(ctx)
