"""Identity state: authorization codes, token sets with rotation and grace, connections."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from xero_sandbox.clock import SandboxClock
from xero_sandbox.config import SandboxConfig

KNOWN_SCOPES = frozenset(
    {
        "openid",
        "profile",
        "email",
        "offline_access",
        "accounting.transactions",
        "accounting.transactions.read",
        "accounting.invoices",
        "accounting.invoices.read",
        "accounting.settings",
        "accounting.settings.read",
        "accounting.contacts",
        "accounting.contacts.read",
        "accounting.reports.read",
        "accounting.attachments",
        "accounting.attachments.read",
    }
)


class OAuthError(Exception):
    """An OAuth error answered as ``{"error": code}`` with HTTP 400."""

    def __init__(self, error: str, description: str | None = None) -> None:
        super().__init__(error)
        self.error = error
        self.description = description


@dataclass
class Connection:
    """A tenant connected to an app by the user."""

    id: str
    tenant_id: str
    tenant_name: str
    auth_event_id: str
    created: datetime
    updated: datetime


@dataclass
class AuthCode:
    """A one-time authorization code and what it is bound to."""

    client_id: str
    redirect_uri: str
    scopes: tuple[str, ...]
    code_challenge: str | None
    auth_event_id: str
    expires_at: datetime
    used: bool = False


@dataclass
class Grant:
    """One authorisation (a family of rotating token sets)."""

    grant_id: str
    client_id: str
    scopes: tuple[str, ...]
    auth_event_id: str
    public: bool
    revoked: bool = False


@dataclass
class AccessRecord:
    """An issued access token."""

    grant: Grant
    expires_at: datetime


@dataclass
class RefreshRecord:
    """An issued refresh token; ``successor`` is the response it was rotated into."""

    grant: Grant
    expires_at: datetime
    rotated_at: datetime | None = None
    successor: dict[str, Any] | None = None


@dataclass
class IdentityState:
    """All identity state of one sandbox (single demo user)."""

    config: SandboxConfig
    clock: SandboxClock
    tenants: dict[str, str]
    user_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    auto_consent: bool = False
    auto_consent_tenants: tuple[str, ...] | None = None
    codes: dict[str, AuthCode] = field(default_factory=dict)
    pending: dict[str, dict[str, str]] = field(default_factory=dict)
    access: dict[str, AccessRecord] = field(default_factory=dict)
    refresh: dict[str, RefreshRecord] = field(default_factory=dict)
    grants: dict[str, Grant] = field(default_factory=dict)
    connections: dict[str, dict[str, Connection]] = field(default_factory=dict)
    _jwt_key: bytes = field(default_factory=lambda: secrets.token_bytes(32))

    def connect(self, client_id: str, tenant_ids: list[str]) -> str:
        """Connect the chosen tenants to an app; returns the new authEventId."""
        auth_event_id = str(uuid.uuid4())
        now = self.clock.now()
        conns = self.connections.setdefault(client_id, {})
        for tenant_id in tenant_ids:
            existing = conns.get(tenant_id)
            if existing is not None:
                existing.updated = now
                existing.auth_event_id = auth_event_id
                continue
            conns[tenant_id] = Connection(
                id=str(uuid.uuid4()),
                tenant_id=tenant_id,
                tenant_name=self.tenants[tenant_id],
                auth_event_id=auth_event_id,
                created=now,
                updated=now,
            )
        return auth_event_id

    def issue_code(
        self,
        client_id: str,
        redirect_uri: str,
        scopes: tuple[str, ...],
        code_challenge: str | None,
        tenant_ids: list[str],
    ) -> str:
        """Record consent for ``tenant_ids`` and return a one-time code."""
        auth_event_id = self.connect(client_id, tenant_ids)
        code = secrets.token_hex(32)
        self.codes[code] = AuthCode(
            client_id=client_id,
            redirect_uri=redirect_uri,
            scopes=scopes,
            code_challenge=code_challenge,
            auth_event_id=auth_event_id,
            expires_at=self.clock.now() + timedelta(seconds=self.config.timings.auth_code),
        )
        return code

    def exchange_code(
        self,
        client_id: str,
        authenticated: bool,
        code: str,
        redirect_uri: str | None,
        verifier: str | None,
    ) -> dict[str, Any]:
        """``authorization_code`` grant (client secret and/or PKCE S256)."""
        record = self.codes.get(code)
        if record is None or record.used or record.client_id != client_id:
            raise OAuthError("invalid_grant")
        if self.clock.now() > record.expires_at:
            raise OAuthError("invalid_grant", "authorization code expired")
        if redirect_uri != record.redirect_uri:
            raise OAuthError("invalid_grant", "redirect_uri mismatch")
        if record.code_challenge is not None:
            if not verifier or _s256(verifier) != record.code_challenge:
                raise OAuthError("invalid_grant", "PKCE verification failed")
        elif not authenticated:
            raise OAuthError("invalid_client")
        record.used = True
        grant = Grant(
            grant_id=str(uuid.uuid4()),
            client_id=client_id,
            scopes=record.scopes,
            auth_event_id=record.auth_event_id,
            public=not authenticated,
        )
        self.grants[grant.grant_id] = grant
        return self._issue(grant)

    def refresh_grant(self, client_id: str, authenticated: bool, token: str) -> dict[str, Any]:
        """``refresh_token`` grant with rotation and a grace period for the previous token."""
        record = self.refresh.get(token)
        now = self.clock.now()
        if record is None or record.grant.client_id != client_id or record.grant.revoked:
            raise OAuthError("invalid_grant")
        if not authenticated and not record.grant.public:
            raise OAuthError("invalid_client")
        if now > record.expires_at:
            raise OAuthError("invalid_grant", "refresh token expired")
        if record.rotated_at is not None:
            grace = timedelta(seconds=self.config.timings.refresh_grace)
            if now - record.rotated_at <= grace and record.successor is not None:
                return record.successor
            raise OAuthError("invalid_grant")
        response = self._issue(record.grant)
        record.rotated_at = now
        record.successor = response
        return response

    def revoke(self, client_id: str, token: str) -> None:
        """Revoke a refresh token: all the user's grants and connections for the app go."""
        record = self.refresh.get(token)
        if record is None or record.grant.client_id != client_id:
            return
        for grant in self.grants.values():
            if grant.client_id == client_id:
                grant.revoked = True
        self.connections.pop(client_id, None)

    def authenticate(self, token: str) -> AccessRecord | str:
        """Resolve a bearer token, or return the 401 ``Detail`` text."""
        record = self.access.get(token)
        if record is None or record.grant.revoked:
            return "AuthenticationUnsuccessful"
        if self.clock.now() >= record.expires_at:
            stamp = record.expires_at.strftime("%m/%d/%Y %H:%M:%S")
            return f"TokenExpired: token expired at {stamp}"
        return record

    def connection_for(self, client_id: str, tenant_id: str) -> Connection | None:
        """The app's connection to ``tenant_id``, if the user connected it."""
        return self.connections.get(client_id, {}).get(tenant_id)

    def _issue(self, grant: Grant) -> dict[str, Any]:
        now = self.clock.now()
        lifetime = int(self.config.timings.access_token)
        access = self._jwt(grant, now, lifetime)
        self.access[access] = AccessRecord(
            grant=grant, expires_at=now + timedelta(seconds=lifetime)
        )
        response: dict[str, Any] = {
            "access_token": access,
            "expires_in": lifetime,
            "token_type": "Bearer",
            "scope": " ".join(grant.scopes),
        }
        if "openid" in grant.scopes:
            response["id_token"] = self._jwt(grant, now, 300, id_token=True)
        if "offline_access" in grant.scopes:
            refresh = secrets.token_hex(32)
            ttl = timedelta(seconds=self.config.timings.refresh_token_ttl)
            self.refresh[refresh] = RefreshRecord(grant=grant, expires_at=now + ttl)
            response["refresh_token"] = refresh
        return response

    def _jwt(self, grant: Grant, now: datetime, lifetime: int, id_token: bool = False) -> str:
        issued = int(now.timestamp())
        claims: dict[str, Any] = {
            "nbf": issued,
            "exp": issued + lifetime,
            "iss": "https://identity.xero.com",
            "auth_time": issued,
            "sub": self.user_id.replace("-", ""),
            "jti": secrets.token_hex(16),
        }
        if id_token:
            claims.update(aud=grant.client_id, email=self.config.user_email)
        else:
            claims.update(
                aud="https://identity.xero.com/resources",
                client_id=grant.client_id,
                xero_userid=self.user_id,
                global_session_id=grant.grant_id.replace("-", ""),
                authentication_event_id=grant.auth_event_id,
                scope=list(grant.scopes),
            )
        header = {"alg": "HS256", "kid": "xero-sandbox", "typ": "JWT"}
        signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
        signature = hmac.new(self._jwt_key, signing_input.encode(), hashlib.sha256).digest()
        return f"{signing_input}.{_b64(signature)}"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _s256(verifier: str) -> str:
    return _b64(hashlib.sha256(verifier.encode()).digest())
