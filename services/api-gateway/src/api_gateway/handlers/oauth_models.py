"""Authlib model objects built from database rows (clients, codes, tokens, users)."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from authlib.oauth2.rfc6749 import ClientMixin, TokenMixin
from authlib.oauth2.rfc6749.util import list_to_scope, scope_to_list
from authlib.oidc.core import AuthorizationCodeMixin

from api_gateway.domain.model import same_digest


@dataclass
class Client(ClientMixin):
    """An OAuth client: the web app (public, PKCE) or a partner app (confidential)."""

    client_id: str
    tenant_id: uuid.UUID | None
    secret_hash: str | None
    redirect_uris: list[str]
    grant_types: list[str]
    scope: str
    auth_method: str
    roles: list[str] = field(default_factory=list)

    @classmethod
    def from_row(cls, row: Any) -> Client:
        return cls(
            client_id=row.client_id,
            tenant_id=row.tenant_id,
            secret_hash=row.secret_hash,
            redirect_uris=list(row.redirect_uris),
            grant_types=list(row.grant_types),
            scope=row.scope,
            auth_method=row.auth_method,
            roles=list(row.roles),
        )

    @property
    def is_public(self) -> bool:
        return self.auth_method == "none"

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        return self.redirect_uris[0] if self.redirect_uris else None

    def get_allowed_scope(self, scope: str | None) -> str:
        if not scope:
            return ""
        allowed = set(scope_to_list(self.scope))
        return str(list_to_scope([s for s in scope_to_list(scope) if s in allowed]))

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return self.secret_hash is not None and same_digest(client_secret, self.secret_hash)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == self.auth_method

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code" and "authorization_code" in self.grant_types

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in self.grant_types


@dataclass(frozen=True)
class User:
    """The resource owner of a grant, in the tenant the grant is for."""

    user_id: uuid.UUID
    tenant_id: uuid.UUID
    role: str
    email: str

    def get_user_id(self) -> str:
        return str(self.user_id)


@dataclass
class AuthorizationCode(AuthorizationCodeMixin):
    code_hash: str
    client_id: str
    user_id: uuid.UUID
    tenant_id: uuid.UUID
    family_id: uuid.UUID
    redirect_uri: str
    scope: str
    code_challenge: str | None
    code_challenge_method: str | None
    nonce: str | None
    auth_time: datetime

    @classmethod
    def from_row(cls, row: Any) -> AuthorizationCode:
        return cls(
            code_hash=row.code_hash,
            client_id=row.client_id,
            user_id=row.user_id,
            tenant_id=row.tenant_id,
            family_id=row.family_id,
            redirect_uri=row.redirect_uri,
            scope=row.scope,
            code_challenge=row.code_challenge,
            code_challenge_method=row.code_challenge_method,
            nonce=row.nonce,
            auth_time=row.auth_time,
        )

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return int(self.auth_time.timestamp())


@dataclass
class StoredToken(TokenMixin):
    """A refresh token row, or an access token (identified by its ``jti``)."""

    kind: str
    key: str
    client_id: str
    family_id: uuid.UUID | None
    tenant_id: uuid.UUID
    subject: str
    scope: str
    expires_at: datetime
    revoked: bool

    def check_client(self, client: Client) -> bool:
        return self.client_id == client.get_client_id()

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return max(0, int(self.expires_at.timestamp() - time.time()))

    def is_expired(self) -> bool:
        return self.expires_at <= datetime.now(UTC)

    def is_revoked(self) -> bool:
        return self.revoked
