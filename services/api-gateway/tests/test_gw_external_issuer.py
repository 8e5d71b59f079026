"""Trusting an external OpenID Connect issuer: its tokens map to users by email, then
by their bound subject; audience, issuer and keys are checked."""

from __future__ import annotations

import json
import time
import uuid

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from gw_support import bearer, running_gateway, sign_up
from jwt.algorithms import RSAAlgorithm
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from platform_kit.testing.servers import serve_app

pytestmark = pytest.mark.asyncio(loop_scope="module")

ISSUER = "https://idp.example.test"


def _jwks_app(key: rsa.RSAPrivateKey, kid: str) -> Starlette:
    jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update({"kid": kid, "alg": "RS256", "use": "sig"})

    async def jwks(request):
        return JSONResponse({"keys": [jwk]})

    return Starlette(routes=[Route("/jwks", jwks)])


def _token(key, kid: str, **claims) -> str:
    now = int(time.time())
    body = {"iss": ISSUER, "aud": "restock-api", "iat": now, "exp": now + 300, **claims}
    return jwt.encode(body, key, "RS256", headers={"kid": kid})


async def test_external_tokens_are_accepted_and_mapped(pg_url, kafka_bootstrap, keys_dir, tmp_path):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    rogue = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    async with serve_app(_jwks_app(key, "idp-1")) as idp:
        async with running_gateway(
            pg_url,
            kafka_bootstrap,
            keys_dir,
            "gw_ext_" + uuid.uuid4().hex[:8],
            tmp_path,
            external_issuer=ISSUER,
            external_jwks_url=f"{idp}/jwks",
        ) as gw:
            account = await sign_up(gw)
            first = _token(
                key, "idp-1", sub="idp-user-1", email=account["email"], email_verified=True
            )
            me = await gw.http.get("/v1/me", headers=bearer(first))
            assert me.status_code == 200, me.text
            assert me.json()["via"] == "external" and me.json()["roles"] == ["admin"]
            assert me.json()["tenant_id"] == account["tenant_id"]
            by_subject = _token(key, "idp-1", sub="idp-user-1")
            assert (await gw.http.get("/v1/me", headers=bearer(by_subject))).status_code == 200
            for bad in (
                _token(key, "idp-1", sub="idp-user-1", aud="someone-else"),
                _token(rogue, "idp-1", sub="idp-user-1"),
                _token(key, "idp-unknown", sub="idp-user-1"),
                _token(key, "idp-1", sub="stranger", email="nobody@example.com"),
                _token(key, "idp-1", sub="idp-user-1", exp=int(time.time()) - 100),
            ):
                response = await gw.http.get("/v1/me", headers=bearer(bad))
                assert response.status_code == 401, response.text
