"""Tables of api-gateway's own database (plus the kit's, declared by ``service_metadata``).

The kit's ``tenant`` table is the gateway's tenant of record (it mints the ids). Every
table holding tenant data has a ``tenant_id`` column, so the kit's purge removes it when
the tenant is deleted; ``user_account`` is global (a user may belong to several tenants)
and orphaned users are deleted by the tenant-deletion use case itself.
"""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

from platform_kit.db import service_metadata

metadata = service_metadata()

_now = func.now()

user_account = Table(
    "user_account",
    metadata,
    Column("user_id", UUID(as_uuid=True), primary_key=True),
    Column("email", String(320), nullable=False, unique=True),
    Column("display_name", String(200), nullable=True),
    Column("password_hash", String(300), nullable=True),
    Column("external_subject", String(500), nullable=True, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=_now),
    Column("password_changed_at", DateTime(timezone=True), nullable=True),
)

membership = Table(
    "membership",
    metadata,
    Column("tenant_id", UUID(as_uuid=True), primary_key=True),
    Column(
        "user_id",
        UUID(as_uuid=True),
        ForeignKey("user_account.user_id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("role", String(20), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=_now),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=_now),
)
Index("ix_membership_user", membership.c.user_id)

invitation = Table(
    "invitation",
    metadata,
    Column("invitation_id", UUID(as_uuid=True), primary_key=True),
    Column("tenant_id", UUID(as_uuid=True), nullable=False, index=True),
    Column("email", String(320), nullable=False),
    Column("role", String(20), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("invited_by", UUID(as_uuid=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=_now),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("accepted_at", DateTime(timezone=True), nullable=True),
)

password_reset = Table(
    "password_reset",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column(
        "user_id",
        UUID(as_uuid=True),
        ForeignKey("user_account.user_id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=_now),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True), nullable=True),
)

login_attempt = Table(
    "login_attempt",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("email", String(320), nullable=False),
    Column("ip", String(64), nullable=False),
    Column("succeeded", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=_now),
)
Index("ix_login_attempt_email", login_attempt.c.email, login_attempt.c.created_at)
Index("ix_login_attempt_ip", login_attempt.c.ip, login_attempt.c.created_at)

oauth_client = Table(
    "oauth_client",
    metadata,
    Column("client_id", String(100), primary_key=True),
    Column("tenant_id", UUID(as_uuid=True), nullable=True, index=True),
    Column("name", String(200), nullable=False),
    Column("secret_hash", String(64), nullable=True),
    Column("redirect_uris", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("grant_types", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("scope", String(500), nullable=False, server_default=""),
    Column("auth_method", String(40), nullable=False),
    Column("roles", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("created_by", UUID(as_uuid=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=_now),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
)

authorization_code = Table(
    "authorization_code",
    metadata,
    Column("code_hash", String(64), primary_key=True),
    Column("tenant_id", UUID(as_uuid=True), nullable=False, index=True),
    Column("client_id", String(100), nullable=False),
    Column("user_id", UUID(as_uuid=True), nullable=False),
    Column("family_id", UUID(as_uuid=True), nullable=False),
    Column("redirect_uri", Text, nullable=False, server_default=""),
    Column("scope", String(500), nullable=False, server_default=""),
    Column("code_challenge", String(200), nullable=True),
    Column("code_challenge_method", String(10), nullable=True),
    Column("nonce", String(200), nullable=True),
    Column("auth_time", DateTime(timezone=True), nullable=False, server_default=_now),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True), nullable=True),
)

refresh_token = Table(
    "refresh_token",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("family_id", UUID(as_uuid=True), nullable=False, index=True),
    Column("tenant_id", UUID(as_uuid=True), nullable=False, index=True),
    Column("client_id", String(100), nullable=False),
    Column("user_id", UUID(as_uuid=True), nullable=False),
    Column("scope", String(500), nullable=False, server_default=""),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=_now),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("rotated_at", DateTime(timezone=True), nullable=True),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
)

access_token = Table(
    "access_token",
    metadata,
    Column("jti", String(64), primary_key=True),
    Column("family_id", UUID(as_uuid=True), nullable=True, index=True),
    Column("tenant_id", UUID(as_uuid=True), nullable=False, index=True),
    Column("client_id", String(100), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=_now),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
)

api_key = Table(
    "api_key",
    metadata,
    Column("key_id", UUID(as_uuid=True), primary_key=True),
    Column("tenant_id", UUID(as_uuid=True), nullable=False, index=True),
    Column(
        "user_id",
        UUID(as_uuid=True),
        ForeignKey("user_account.user_id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("name", String(200), nullable=False),
    Column("prefix", String(16), nullable=False),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=_now),
    Column("last_used_at", DateTime(timezone=True), nullable=True),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
)

signing_key = Table(
    "signing_key",
    metadata,
    Column("kid", String(64), primary_key=True),
    Column("alg", String(10), nullable=False),
    Column("private_key", Text, nullable=False, comment="PEM, envelope-encrypted (KeyRing)"),
    Column("public_jwk", JSONB, nullable=False),
    Column("status", String(10), nullable=False, comment="next | current | previous | retired"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=_now),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=_now),
)

audit_event = Table(
    "audit_event",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("tenant_id", UUID(as_uuid=True), nullable=True, index=True),
    Column("actor", String(200), nullable=False),
    Column("action", String(100), nullable=False),
    Column("detail", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=_now),
)

rate_bucket = Table(
    "rate_bucket",
    metadata,
    Column("key", String(300), primary_key=True),
    Column("tenant_id", UUID(as_uuid=True), nullable=True, index=True),
    Column("tokens", Float, nullable=False),
    Column("rate", Float, nullable=False),
    Column("burst", Float, nullable=False),
    Column("allowed", Boolean, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=_now),
)
"""Token buckets of the API rate limits (per client and per tenant), shared by replicas."""
