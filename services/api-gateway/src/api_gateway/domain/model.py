"""Identity concepts: roles, principals and opaque secrets (pure; no I/O)."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass, field

ROLES = ("viewer", "planner", "approver", "admin")
"""Ranked low to high: a higher role implies every lower one."""

API_KEY_PREFIX = "rsk"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def role_rank(role: str) -> int:
    """Position of ``role`` in :data:`ROLES` (ValueError if unknown)."""
    return ROLES.index(role)


def normalise_email(email: str) -> str:
    """Lower-cased, trimmed email; ValueError if it does not look like one."""
    value = email.strip().lower()
    if not _EMAIL.match(value) or len(value) > 320:
        raise ValueError("not a valid email address")
    return value


def new_secret(nbytes: int = 32) -> str:
    """A URL-safe random secret (codes, refresh tokens, invitation links)."""
    return secrets.token_urlsafe(nbytes)


def digest(secret: str) -> str:
    """SHA-256 hex of a high-entropy secret: what is stored instead of the secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


def same_digest(secret: str, stored_digest: str) -> bool:
    return hmac.compare_digest(digest(secret), stored_digest)


def new_api_key() -> tuple[str, str]:
    """A personal API key ``rsk_<prefix>_<secret>`` and its public prefix."""
    prefix = secrets.token_hex(4)
    return f"{API_KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}", prefix


def looks_like_api_key(token: str) -> bool:
    return token.startswith(API_KEY_PREFIX + "_") and token.count("_") >= 2


@dataclass(frozen=True)
class Identity:
    """A verified caller of the gateway: a user (or a partner client) in one tenant."""

    tenant_id: uuid.UUID
    subject: str
    roles: frozenset[str] = field(default_factory=frozenset)
    via: str = "access_token"
    user_id: uuid.UUID | None = None
    client_id: str | None = None

    def has_role(self, role: str) -> bool:
        need = role_rank(role)
        return any(r in ROLES and role_rank(r) >= need for r in self.roles)
