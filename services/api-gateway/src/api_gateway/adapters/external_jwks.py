"""Keys of an external OpenID Connect issuer, fetched from its JWKS URL and cached."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx
from jwt.algorithms import ECAlgorithm, RSAAlgorithm


class ExternalJwks:
    """Public keys by kid; refetched after ``ttl_s`` or when an unknown kid shows up."""

    def __init__(self, url: str, ttl_s: float = 300.0, min_refetch_s: float = 5.0) -> None:
        self.url = url
        self.ttl_s = ttl_s
        self.min_refetch_s = min_refetch_s
        self._keys: dict[str, Any] = {}
        self._fetched = 0.0
        self._lock = asyncio.Lock()

    async def key(self, kid: str) -> Any | None:
        now = time.monotonic()
        stale = now - self._fetched > self.ttl_s
        unknown = kid not in self._keys and now - self._fetched > self.min_refetch_s
        if stale or unknown:
            async with self._lock:
                await self._fetch()
        return self._keys.get(kid)

    async def _fetch(self) -> None:
        async with httpx.AsyncClient(timeout=5.0) as client:
            response = await client.get(self.url)
            response.raise_for_status()
            document = response.json()
        keys: dict[str, Any] = {}
        for jwk in document.get("keys", []):
            kty = jwk.get("kty")
            if kty == "RSA":
                keys[jwk.get("kid", "")] = RSAAlgorithm.from_jwk(json.dumps(jwk))
            elif kty == "EC":
                keys[jwk.get("kid", "")] = ECAlgorithm.from_jwk(json.dumps(jwk))
        self._keys = keys
        self._fetched = time.monotonic()
