"""Signing keys for user-facing access tokens: RSA keys, private halves encrypted at rest.

Statuses: ``next`` (published, not yet signing), ``current`` (signs), ``previous``
(published so tokens it signed keep verifying), ``retired`` (gone from the JWKS).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from api_gateway.adapters.orm import signing_key
from platform_kit.crypto import KeyRing

ALG = "RS256"
PUBLISHED = ("next", "current", "previous")
_LOCK = 0x5E5_1C4E


def generate(keyring: KeyRing) -> dict[str, Any]:
    """A new key row (status unset): kid, encrypted private PEM, public JWK."""
    kid = "sk-" + uuid.uuid4().hex[:12]
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update({"kid": kid, "alg": ALG, "use": "sig"})
    return {
        "kid": kid,
        "alg": ALG,
        "private_key": keyring.encrypt(pem, aad=kid),
        "public_jwk": jwk,
    }


async def lock(session: AsyncSession) -> None:
    """Serialise key creation and rotation across replicas (transaction advisory lock)."""
    await session.execute(text("select pg_advisory_xact_lock(:k)"), {"k": _LOCK})


async def all_keys(session: AsyncSession) -> list[Row[Any]]:
    stmt = select(signing_key).order_by(signing_key.c.created_at)
    return list((await session.execute(stmt)).all())


async def insert_key(session: AsyncSession, row: dict[str, Any], status: str) -> None:
    await session.execute(insert(signing_key).values(**row, status=status))


async def set_status(session: AsyncSession, kid: str, status: str) -> None:
    await session.execute(
        update(signing_key)
        .where(signing_key.c.kid == kid)
        .values(status=status, updated_at=func.now())
    )
