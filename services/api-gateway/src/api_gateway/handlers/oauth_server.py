"""The authorization server: Authlib's framework-agnostic classes over async storage.

Authlib calls storage synchronously, so each OAuth request runs in a worker thread
(:func:`run_oauth`) while its storage calls hop back onto the event loop with
``run_coroutine_threadsafe`` and use the request's single unit of work; the caller
commits once the thread returns. Per-request state travels in a context variable
(``asyncio.to_thread`` copies it into the thread).
"""

from __future__ import annotations

import asyncio
import contextvars
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from authlib.oauth2.rfc6749 import AuthorizationServer, grants
from authlib.oauth2.rfc6749.errors import InvalidRequestError
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7636 import CodeChallenge

from api_gateway.adapters import accounts, oauth_store
from api_gateway.domain.errors import Unauthenticated
from api_gateway.domain.model import digest, new_secret
from api_gateway.handlers.context import IdentityContext
from api_gateway.handlers.oauth_models import AuthorizationCode, Client, StoredToken, User
from api_gateway.handlers.signing import LoadedKey
from api_gateway.handlers.tokens import decode_own_token, mint_access_token
from platform_kit.db.uow import UnitOfWork

T = TypeVar("T")
SCOPES = ["openid", "profile", "email", "api", "offline_access"]


@dataclass
class OAuthCall:
    """State of one OAuth request while Authlib handles it in a worker thread."""

    loop: asyncio.AbstractEventLoop
    uow: UnitOfWork
    context: IdentityContext
    key: LoadedKey
    family_id: uuid.UUID | None = None
    issued: dict[str, Any] = field(default_factory=dict)


_CALL: contextvars.ContextVar[OAuthCall] = contextvars.ContextVar("oauth_call")


def run_on_loop(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` on the request's event loop from Authlib's worker thread."""
    return asyncio.run_coroutine_threadsafe(coro, _CALL.get().loop).result()


_await = run_on_loop


def current_call() -> OAuthCall:
    """The OAuth request being handled in this worker thread."""
    return _CALL.get()


def _session() -> Any:
    return _CALL.get().uow.session


async def run_oauth(uow: UnitOfWork, context: IdentityContext, fn: Callable[[], T]) -> T:
    """Run ``fn`` (Authlib work) in a thread with storage bridged to this loop; commit."""
    call = OAuthCall(
        loop=asyncio.get_running_loop(), uow=uow, context=context, key=await context.keys.current()
    )
    token = _CALL.set(call)
    try:
        result = await asyncio.to_thread(fn)
    finally:
        _CALL.reset(token)
    await uow.commit()
    return result


class Server(AuthorizationServer):
    """Authorization server; ``handle_response`` returns a neutral (status, body, headers)."""

    def query_client(self, client_id: str) -> Client | None:
        row = _await(oauth_store.client_by_id(_session(), client_id))
        return Client.from_row(row) if row is not None else None

    def save_token(self, token: dict[str, Any], request: Any) -> None:
        call = _CALL.get()
        issued = call.issued
        family = call.family_id
        if "refresh_token" in token and family is None:
            family = uuid.uuid4()
            call.family_id = family
        _await(
            oauth_store.insert_access_token(
                _session(),
                jti=issued["jti"],
                family_id=family,
                tenant_id=issued["tenant_id"],
                client_id=issued["client_id"],
                subject=issued["subject"],
                expires_at=issued["expires_at"],
            )
        )
        if "refresh_token" in token:
            ttl = timedelta(seconds=call.context.settings.refresh_token_ttl_s)
            _await(
                oauth_store.insert_refresh_token(
                    _session(),
                    token_hash=digest(token["refresh_token"]),
                    family_id=family,
                    tenant_id=issued["tenant_id"],
                    client_id=issued["client_id"],
                    user_id=uuid.UUID(issued["subject"]),
                    scope=token.get("scope") or "",
                    expires_at=datetime.now(UTC) + ttl,
                )
            )

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        return None

    def handle_response(self, status: int, body: Any, headers: Any) -> tuple[int, Any, Any]:
        return status, body, list(headers or [])

    def create_oauth2_request(self, request: Any) -> Any:
        return request

    def create_json_request(self, request: Any) -> Any:
        return request


def generate_token(
    grant_type: str,
    client: Client,
    user: User | None = None,
    scope: str | None = None,
    expires_in: int | None = None,
    include_refresh_token: bool = True,
) -> dict[str, Any]:
    """JWT access token (+ opaque refresh token) for a user grant or a partner client."""
    call = _CALL.get()
    if user is not None:
        subject, tenant_id, roles = str(user.user_id), user.tenant_id, [user.role]
        extra = {"email": user.email}
    else:
        if client.tenant_id is None:
            raise InvalidRequestError("this client has no tenant")
        subject, tenant_id, roles, extra = client.client_id, client.tenant_id, client.roles, {}
    token, jti, ttl = mint_access_token(
        call.context,
        call.key,
        subject=subject,
        tenant_id=tenant_id,
        roles=roles,
        client_id=client.client_id,
        scope=scope or "",
        extra=extra,
    )
    call.issued = {
        "jti": jti,
        "tenant_id": tenant_id,
        "client_id": client.client_id,
        "subject": subject,
        "expires_at": datetime.now(UTC) + timedelta(seconds=ttl),
    }
    result: dict[str, Any] = {"token_type": "Bearer", "access_token": token, "expires_in": ttl}
    if scope:
        result["scope"] = scope
    if include_refresh_token and user is not None:
        result["refresh_token"] = new_secret()
    return result


def _user_in(tenant_id: uuid.UUID, user_id: uuid.UUID) -> User | None:
    """The user with their CURRENT role in the tenant (None if no longer a member)."""
    member = _await(accounts.membership_of(_session(), tenant_id, user_id))
    user = _await(accounts.user_by_id(_session(), user_id))
    if member is None or user is None:
        return None
    return User(user_id, tenant_id, member.role, user.email)


class CodeGrant(grants.AuthorizationCodeGrant):
    """Authorization code; PKCE (S256) is mandatory for public clients; codes work once
    and a replayed code revokes everything issued from it."""

    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]

    def validate_authorization_request(self) -> str:
        redirect_uri: str = super().validate_authorization_request()
        client: Client = self.request.client
        if client.is_public and not self.request.payload.data.get("code_challenge"):
            raise InvalidRequestError(
                "PKCE 'code_challenge' is required for this client", redirect_uri=redirect_uri
            )
        return redirect_uri

    def save_authorization_code(self, code: str, request: Any) -> None:
        user: User = request.user
        data = request.payload.data
        ttl = timedelta(seconds=_CALL.get().context.settings.authorization_code_ttl_s)
        _await(
            oauth_store.insert_code(
                _session(),
                code_hash=digest(code),
                tenant_id=user.tenant_id,
                client_id=request.client.client_id,
                user_id=user.user_id,
                family_id=uuid.uuid4(),
                redirect_uri=request.payload.redirect_uri or "",
                scope=request.scope or "",
                code_challenge=data.get("code_challenge"),
                code_challenge_method=data.get("code_challenge_method") or "plain",
                nonce=data.get("nonce"),
                expires_at=datetime.now(UTC) + ttl,
            )
        )

    def query_authorization_code(self, code: str, client: Client) -> AuthorizationCode | None:
        row = _await(oauth_store.code_by_hash(_session(), digest(code)))
        if row is None or row.client_id != client.client_id:
            return None
        if row.used_at is not None:
            _await(oauth_store.revoke_family(_session(), row.family_id))
            return None
        if row.expires_at <= datetime.now(UTC):
            return None
        return AuthorizationCode.from_row(row)

    def delete_authorization_code(self, authorization_code: AuthorizationCode) -> None:
        _await(oauth_store.mark_code_used(_session(), authorization_code.code_hash))

    def authenticate_user(self, authorization_code: AuthorizationCode) -> User | None:
        _CALL.get().family_id = authorization_code.family_id
        return _user_in(authorization_code.tenant_id, authorization_code.user_id)


class S256Only(CodeChallenge):
    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]


class RefreshGrant(grants.RefreshTokenGrant):
    """Refresh with rotation: each refresh token works once; presenting a rotated one
    again (a stolen copy, or a replay) revokes its whole family."""

    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]
    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token: str) -> StoredToken | None:
        row = _await(oauth_store.refresh_token_by_hash(_session(), digest(refresh_token)))
        if row is None or row.revoked_at is not None:
            return None
        if row.rotated_at is not None:
            _await(oauth_store.revoke_family(_session(), row.family_id))
            return None
        if row.expires_at <= datetime.now(UTC):
            return None
        _CALL.get().family_id = row.family_id
        return StoredToken(
            kind="refresh_token",
            key=row.token_hash,
            client_id=row.client_id,
            family_id=row.family_id,
            tenant_id=row.tenant_id,
            subject=str(row.user_id),
            scope=row.scope,
            expires_at=row.expires_at,
            revoked=False,
        )

    def authenticate_user(self, refresh_token: StoredToken) -> User | None:
        return _user_in(refresh_token.tenant_id, uuid.UUID(refresh_token.subject))

    def revoke_old_credential(self, refresh_token: StoredToken) -> None:
        _await(oauth_store.mark_refresh_rotated(_session(), refresh_token.key))


class PartnerGrant(grants.ClientCredentialsGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]


class Revocation(RevocationEndpoint):
    """RFC 7009: a refresh token revokes its family; an access token its ``jti``."""

    CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]

    def query_token(self, token_string: str, token_type_hint: str | None) -> StoredToken | None:
        row = _await(oauth_store.refresh_token_by_hash(_session(), digest(token_string)))
        if row is not None:
            return StoredToken(
                kind="refresh_token",
                key=row.token_hash,
                client_id=row.client_id,
                family_id=row.family_id,
                tenant_id=row.tenant_id,
                subject=str(row.user_id),
                scope=row.scope,
                expires_at=row.expires_at,
                revoked=row.revoked_at is not None,
            )
        try:
            claims = _await(decode_own_token(_CALL.get().context, token_string, verify_exp=False))
        except Unauthenticated:
            return None
        return StoredToken(
            kind="access_token",
            key=claims["jti"],
            client_id=claims.get("client_id", ""),
            family_id=None,
            tenant_id=uuid.UUID(claims["tenant_id"]),
            subject=claims["sub"],
            scope=claims.get("scope", ""),
            expires_at=datetime.fromtimestamp(claims["exp"], UTC),
            revoked=False,
        )

    def revoke_token(self, token: StoredToken, request: Any) -> None:
        if token.kind == "refresh_token" and token.family_id is not None:
            _await(oauth_store.revoke_family(_session(), token.family_id))
        else:
            _await(oauth_store.revoke_access_token(_session(), token.key))


def build_server(extensions: list[Any] | None = None) -> Server:
    """The server with its grants; ``extensions`` are added to the code grant (OIDC)."""
    server = Server(scopes_supported=SCOPES)
    server.register_token_generator("default", generate_token)
    server.register_grant(CodeGrant, [S256Only(required=True), *(extensions or [])])
    server.register_grant(RefreshGrant)
    server.register_grant(PartnerGrant)
    server.register_endpoint(Revocation)
    return server
