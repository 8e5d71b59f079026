"""Short-lived internal tokens between the gateway and services (architecture §3).

api-gateway verifies the outside caller and mints an EdDSA-signed JWT carrying tenant,
user, roles and a key id; every service verifies it with the public keys and scopes all
queries by ``principal.tenant_id``. Until the identity service exists a dev command
mints these tokens directly.

Keys: ``RESTOCK_INTERNAL_SIGNING_KEYS`` (JSON list of ``{"kid", "pem"}`` private keys,
first signs) or ``<keys dir>/internal_signing.json`` generated for dev. Verification
needs only the public halves.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from fastapi import Depends, Request

from platform_kit.clock import real_now
from platform_kit.http.problems import Problem

ISSUER = "restock-gateway"
AUDIENCE = "restock-internal"
ROLES = ("viewer", "planner", "approver", "admin")
_RANK = {role: i for i, role in enumerate(ROLES)}


@dataclass(frozen=True)
class Principal:
    """Who is calling, for which tenant, with which roles."""

    tenant_id: uuid.UUID
    user_id: str
    roles: frozenset[str] = field(default_factory=frozenset)
    token: str = ""

    def has_role(self, role: str) -> bool:
        """Roles are ranked viewer < planner < approver < admin; a higher one implies lower."""
        need = _RANK[role]
        return any(_RANK.get(r, -1) >= need for r in self.roles)


class InternalKeys:
    """Signing (optional) and verification keys, by key id."""

    def __init__(
        self, private: list[tuple[str, Ed25519PrivateKey]], public: dict[str, Ed25519PublicKey]
    ):
        self._private = private
        self._public = dict(public)
        for kid, key in private:
            self._public.setdefault(kid, key.public_key())

    @classmethod
    def generate(cls, kid: str | None = None) -> InternalKeys:
        return cls([(kid or f"ik-{uuid.uuid4().hex[:8]}", Ed25519PrivateKey.generate())], {})

    @classmethod
    def load(cls, keys_dir: Path) -> InternalKeys:
        """From the environment, else ``keys_dir/internal_signing.json`` (created for dev)."""
        raw = os.environ.get("RESTOCK_INTERNAL_SIGNING_KEYS")
        if not raw:
            path = keys_dir / "internal_signing.json"
            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(cls.generate().to_json())
                path.chmod(0o600)
            raw = path.read_text()
        entries = json.loads(raw)
        private = [
            (e["kid"], serialization.load_pem_private_key(e["pem"].encode(), password=None))
            for e in entries
        ]
        return cls([(kid, key) for kid, key in private if isinstance(key, Ed25519PrivateKey)], {})

    def to_json(self) -> str:
        return json.dumps(
            [
                {
                    "kid": kid,
                    "pem": key.private_bytes(
                        serialization.Encoding.PEM,
                        serialization.PrivateFormat.PKCS8,
                        serialization.NoEncryption(),
                    ).decode(),
                }
                for kid, key in self._private
            ]
        )

    def mint(self, principal_claims: dict[str, Any], ttl_s: int = 300) -> str:
        """Sign an internal token; ``principal_claims`` has tenant_id, sub and roles."""
        if not self._private:
            raise RuntimeError("no signing key configured")
        kid, key = self._private[0]
        now = real_now()
        claims = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "iat": int(now.timestamp()),
            "exp": int(now.timestamp()) + ttl_s,
            "jti": uuid.uuid4().hex,
            **principal_claims,
        }
        return jwt.encode(claims, key, algorithm="EdDSA", headers={"kid": kid})

    def mint_for(
        self, tenant_id: uuid.UUID | str, user_id: str, roles: list[str], ttl_s: int = 300
    ) -> str:
        return self.mint({"tenant_id": str(tenant_id), "sub": user_id, "roles": list(roles)}, ttl_s)

    def verify(self, token: str) -> Principal:
        """Verify signature, issuer, audience and expiry (real time); raise Problem(401)."""
        try:
            kid = jwt.get_unverified_header(token).get("kid")
            key = self._public.get(kid or "")
            if key is None:
                raise Problem(401, "Invalid token", "unknown signing key")
            claims = jwt.decode(
                token,
                key,
                algorithms=["EdDSA"],
                audience=AUDIENCE,
                issuer=ISSUER,
                options={"require": ["exp", "iat", "tenant_id", "sub"]},
            )
            return Principal(
                tenant_id=uuid.UUID(claims["tenant_id"]),
                user_id=str(claims["sub"]),
                roles=frozenset(claims.get("roles", [])),
                token=token,
            )
        except Problem:
            raise
        except (jwt.PyJWTError, ValueError, KeyError) as exc:
            raise Problem(401, "Invalid token", str(exc)) from exc


def _keys(request: Request) -> InternalKeys:
    keys = getattr(request.app.state, "internal_keys", None)
    if keys is None:
        raise Problem(500, "Server misconfigured", "internal keys missing")
    return keys


async def current_principal(request: Request) -> Principal:
    """FastAPI dependency: the verified caller (401 without a valid internal token)."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Problem(401, "Authentication required", "missing internal bearer token")
    return _keys(request).verify(token.strip())


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require(role: str) -> Any:
    """Dependency factory: the caller must hold ``role`` (or a higher one), else 403."""
    if role not in _RANK:
        raise ValueError(f"unknown role {role}")

    async def dependency(principal: CurrentPrincipal) -> Principal:
        if not principal.has_role(role):
            raise Problem(403, "Forbidden", f"requires role {role}")
        return principal

    return Depends(dependency)
