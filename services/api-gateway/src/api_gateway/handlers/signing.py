"""Access-token signing keys: creation, rotation, the JWKS and a short-lived cache.

There are always at least two published keys: the ``current`` one that signs and the
``next`` one, published ahead of time so caches of relying parties already know it when
a rotation promotes it. Rotation: previous → retired, current → previous, next → current,
and a fresh key becomes next. Tokens keep verifying while their key is published.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import serialization
from jwt.algorithms import RSAAlgorithm

from api_gateway.adapters import signing_keys as repo
from platform_kit.crypto import KeyRing
from platform_kit.db.uow import UnitOfWork


@dataclass(frozen=True)
class LoadedKey:
    kid: str
    status: str
    public_jwk: dict[str, Any]
    public_key: Any
    private_key: Any | None


async def ensure_keys(uow: UnitOfWork, keyring: KeyRing) -> bool:
    """Create the current and next keys if missing; True if anything was created."""
    await repo.lock(uow.session)
    rows = await repo.all_keys(uow.session)
    statuses = {row.status for row in rows}
    created = False
    if "current" not in statuses:
        await repo.insert_key(uow.session, repo.generate(keyring), "current")
        created = True
    if "next" not in statuses:
        await repo.insert_key(uow.session, repo.generate(keyring), "next")
        created = True
    await uow.commit()
    return created


async def rotate(uow: UnitOfWork, keyring: KeyRing) -> dict[str, str]:
    """Promote next to current (see module doc); returns the new kid by status."""
    await repo.lock(uow.session)
    rows = await repo.all_keys(uow.session)
    by_status: dict[str, list[str]] = {}
    for row in rows:
        by_status.setdefault(row.status, []).append(row.kid)
    for kid in by_status.get("previous", []):
        await repo.set_status(uow.session, kid, "retired")
    for kid in by_status.get("current", []):
        await repo.set_status(uow.session, kid, "previous")
    promoted = by_status.get("next", [])
    if promoted:
        await repo.set_status(uow.session, promoted[0], "current")
        current = promoted[0]
    else:
        fresh = repo.generate(keyring)
        await repo.insert_key(uow.session, fresh, "current")
        current = fresh["kid"]
    upcoming = repo.generate(keyring)
    await repo.insert_key(uow.session, upcoming, "next")
    await uow.commit()
    return {"current": current, "next": upcoming["kid"]}


class SigningKeys:
    """Published keys loaded from the database, cached for ``ttl_s`` seconds."""

    def __init__(self, uow: Callable[[], UnitOfWork], keyring: KeyRing, ttl_s: float) -> None:
        self._uow = uow
        self._keyring = keyring
        self._ttl_s = ttl_s
        self._keys: dict[str, LoadedKey] = {}
        self._loaded = -1e9
        self._lock = asyncio.Lock()

    async def _refresh(self, force: bool = False) -> None:
        if not force and time.monotonic() - self._loaded < self._ttl_s:
            return
        async with self._lock:
            if not force and time.monotonic() - self._loaded < self._ttl_s:
                return
            async with self._uow() as uow:
                rows = await repo.all_keys(uow.session)
            keys = {}
            for row in rows:
                if row.status not in repo.PUBLISHED:
                    continue
                private = None
                if row.status == "current":
                    pem = self._keyring.decrypt(row.private_key, aad=row.kid)
                    private = serialization.load_pem_private_key(pem.encode(), password=None)
                public = RSAAlgorithm.from_jwk(dict(row.public_jwk))
                keys[row.kid] = LoadedKey(
                    row.kid, row.status, dict(row.public_jwk), public, private
                )
            self._keys = keys
            self._loaded = time.monotonic()

    async def current(self) -> LoadedKey:
        """The key that signs now."""
        await self._refresh()
        for key in self._keys.values():
            if key.status == "current":
                return key
        await self._refresh(force=True)
        for key in self._keys.values():
            if key.status == "current":
                return key
        raise RuntimeError("no current signing key; run the service once to create one")

    async def public_key(self, kid: str) -> Any | None:
        """Verification key for ``kid`` while it is published, else None."""
        await self._refresh()
        key = self._keys.get(kid)
        return key.public_key if key else None

    async def jwks(self) -> dict[str, Any]:
        await self._refresh()
        order = {status: i for i, status in enumerate(repo.PUBLISHED)}
        keys = sorted(self._keys.values(), key=lambda k: order[k.status])
        return {"keys": [key.public_jwk for key in keys]}
