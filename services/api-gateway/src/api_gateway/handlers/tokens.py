"""Access tokens: minting (JWT, RS256, ``kid`` header) and verifying callers.

A caller presents ``Authorization: Bearer <x>`` where ``x`` is one of:

* an access token this gateway issued (``aud`` = the API audience, ``typ`` at+jwt),
  checked against the published keys and the revocation list;
* a personal API key (``rsk_…``), hashed at rest, acting as its user with the user's
  current role in the key's tenant;
* with an external issuer configured, that issuer's token, mapped to a user by its
  ``sub`` (bound on first use) or its verified email.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from typing import Any

import jwt

from api_gateway.adapters import accounts, oauth_store
from api_gateway.domain.errors import Unauthenticated
from api_gateway.domain.model import Identity, digest, looks_like_api_key
from api_gateway.handlers.context import IdentityContext
from platform_kit.db.uow import UnitOfWork

ALGORITHMS = ["RS256"]


def mint_access_token(
    context: IdentityContext,
    key: Any,
    *,
    subject: str,
    tenant_id: uuid.UUID,
    roles: list[str],
    client_id: str,
    scope: str,
    extra: dict[str, Any] | None = None,
) -> tuple[str, str, int]:
    """Sign an access token with ``key`` (a LoadedKey); returns (token, jti, expires_in)."""
    settings = context.settings
    now = int(time.time())
    jti = uuid.uuid4().hex
    claims = {
        "iss": settings.issuer,
        "aud": settings.api_audience,
        "sub": subject,
        "iat": now,
        "nbf": now,
        "exp": now + settings.access_token_ttl_s,
        "jti": jti,
        "client_id": client_id,
        "scope": scope,
        "tenant_id": str(tenant_id),
        "roles": roles,
        **(extra or {}),
    }
    token = jwt.encode(
        claims, key.private_key, algorithm="RS256", headers={"kid": key.kid, "typ": "at+jwt"}
    )
    return token, jti, settings.access_token_ttl_s


def _kid(token: str) -> str:
    """The ``kid`` of a JWT's header, parsed alone (PyJWT would decode every segment);
    Unauthenticated if the header is not a JSON object. The signature check follows."""
    segment = token.partition(".")[0]
    try:
        header = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (ValueError, UnicodeDecodeError) as exc:
        raise Unauthenticated("malformed token") from exc
    if not isinstance(header, dict):
        raise Unauthenticated("malformed token")
    return str(header.get("kid", ""))


async def decode_own_token(context: IdentityContext, token: str, *, verify_exp: bool = True) -> Any:
    """Claims of a token this gateway signed; Unauthenticated if not valid."""
    key = await context.keys.public_key(_kid(token))
    if key is None:
        raise Unauthenticated("unknown or retired signing key")
    try:
        return jwt.decode(
            token,
            key,
            algorithms=ALGORITHMS,
            audience=context.settings.api_audience,
            issuer=context.settings.issuer,
            options={
                "require": ["exp", "iat", "sub", "jti", "tenant_id"],
                "verify_exp": verify_exp,
            },
            leeway=5,
        )
    except jwt.PyJWTError as exc:
        raise Unauthenticated(f"invalid token: {exc}") from exc


async def authenticate(uow: UnitOfWork, context: IdentityContext, token: str) -> Identity:
    """The verified caller behind a bearer credential (see module doc)."""
    own = await own_access_token(context, token)
    if own is None:
        return await other_credential(uow, context, token)
    identity, jti = own
    row = await oauth_store.access_token_by_jti(uow.session, jti)
    if row is None or row.revoked_at is not None:
        raise Unauthenticated("token revoked")
    return identity


async def own_access_token(context: IdentityContext, token: str) -> tuple[Identity, str] | None:
    """The identity and ``jti`` of a validly signed access token of this gateway, with its
    revocation NOT yet checked; None for an API key or an external issuer's token."""
    if looks_like_api_key(token):
        return None
    settings = context.settings
    if settings.external_issuer:  # parsing the unverified claims costs; only when needed
        try:
            issuer = jwt.decode(token, options={"verify_signature": False}).get("iss")
        except jwt.PyJWTError as exc:
            raise Unauthenticated("malformed token") from exc
        if issuer == settings.external_issuer:
            return None
    claims = await decode_own_token(context, token)
    return _claims_identity(claims), str(claims["jti"])


async def other_credential(uow: UnitOfWork, context: IdentityContext, token: str) -> Identity:
    """The caller behind an API key or an external issuer's token."""
    if looks_like_api_key(token):
        return await _api_key_identity(uow, token)
    return await _external_identity(uow, context, token)


def _claims_identity(claims: dict[str, Any]) -> Identity:
    subject = str(claims["sub"])
    user_id = None
    if subject != claims.get("client_id"):
        user_id = uuid.UUID(subject)
    return Identity(
        tenant_id=uuid.UUID(claims["tenant_id"]),
        subject=subject,
        roles=frozenset(claims.get("roles", [])),
        via="access_token",
        user_id=user_id,
        client_id=claims.get("client_id"),
    )


async def _api_key_identity(uow: UnitOfWork, token: str) -> Identity:
    row = await accounts.api_key_by_hash(uow.session, digest(token))
    if row is None:
        raise Unauthenticated("unknown or revoked API key")
    member = await accounts.membership_of(uow.session, row.tenant_id, row.user_id)
    if member is None:
        raise Unauthenticated("the key's user no longer belongs to the tenant")
    await accounts.touch_api_key(uow.session, row.key_id)
    await uow.commit()
    return Identity(
        tenant_id=row.tenant_id,
        subject=str(row.user_id),
        roles=frozenset({member.role}),
        via="api_key",
        user_id=row.user_id,
    )


async def _external_identity(uow: UnitOfWork, context: IdentityContext, token: str) -> Identity:
    settings = context.settings
    assert context.external is not None
    try:
        kid = str(jwt.get_unverified_header(token).get("kid", ""))
        key = await context.external.key(kid)
        if key is None:
            raise Unauthenticated("unknown external signing key")
        claims = jwt.decode(
            token,
            key,
            algorithms=["RS256", "ES256"],
            audience=settings.external_audience or settings.api_audience,
            issuer=settings.external_issuer,
            options={"require": ["exp", "iat", "sub"]},
            leeway=5,
        )
    except jwt.PyJWTError as exc:
        raise Unauthenticated(f"invalid external token: {exc}") from exc
    subject = f"{settings.external_issuer}|{claims['sub']}"
    user = await accounts.user_by_external_subject(uow.session, subject)
    if user is None:
        email = claims.get("email")
        if not email or claims.get("email_verified") is False:
            raise Unauthenticated("external token maps to no user")
        user = await accounts.user_by_email(uow.session, str(email).lower())
        if user is None or user.external_subject is not None:
            raise Unauthenticated("external token maps to no user")
        await accounts.bind_external_subject(uow.session, user.user_id, subject)
        await uow.commit()
    member_rows = await accounts.memberships_of(uow.session, user.user_id)
    wanted = claims.get("tenant_id")
    chosen = next(
        (m for m in member_rows if wanted is None or str(m.tenant_id) == str(wanted)), None
    )
    if chosen is None:
        raise Unauthenticated("the user belongs to no such tenant")
    return Identity(
        tenant_id=chosen.tenant_id,
        subject=str(user.user_id),
        roles=frozenset({chosen.role}),
        via="external",
        user_id=user.user_id,
    )
