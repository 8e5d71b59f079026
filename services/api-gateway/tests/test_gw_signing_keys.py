"""Signing-key rotation: tokens keep verifying while their key is in the JWKS."""

from __future__ import annotations

import asyncio
import json
import os
import sys

import jwt
import pytest
from gw_support import bearer, code_flow, sign_up

from api_gateway.handlers.signing import rotate

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def _kids(gw) -> list[str]:
    return [k["kid"] for k in (await gw.http.get("/.well-known/jwks.json")).json()["keys"]]


async def test_old_tokens_verify_until_their_key_leaves_the_jwks(gw):
    account = await sign_up(gw)
    old = (await code_flow(gw, account["email"]))["access_token"]
    old_kid = jwt.get_unverified_header(old)["kid"]
    before = await _kids(gw)
    async with gw.runtime.uow() as uow:
        first = await rotate(uow, gw.runtime.keyring)
    after = await _kids(gw)
    assert first["current"] in before, "the promoted key was published before it signed"
    assert old_kid in after and len(after) == 3
    assert (await gw.http.get("/v1/me", headers=bearer(old))).status_code == 200
    new = (await code_flow(gw, account["email"]))["access_token"]
    assert jwt.get_unverified_header(new)["kid"] == first["current"]
    async with gw.runtime.uow() as uow:
        await rotate(uow, gw.runtime.keyring)
    assert old_kid not in await _kids(gw)
    assert (await gw.http.get("/v1/me", headers=bearer(old))).status_code == 401
    assert (await gw.http.get("/v1/me", headers=bearer(new))).status_code == 200


async def test_rotate_signing_key_command(gw, pg_url, keys_dir):
    before = await _kids(gw)
    env = {
        **os.environ,
        "DATABASE_URL": pg_url,
        "API_GATEWAY_DATABASE_NAME": gw.runtime.settings.resolved_database_name,
        "RESTOCK_KEYS_DIR": str(keys_dir),
        "API_GATEWAY_LOG_JSON": "false",
    }
    env.pop("KAFKA_BOOTSTRAP_SERVERS", None)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "api_gateway",
        "rotate-signing-key",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()[-2000:]
    result = json.loads(out.decode().strip().splitlines()[-1])
    after = await _kids(gw)
    assert result["current"] == before[0], "the pre-published next key was promoted"
    assert after == [result["next"], result["current"], before[1]]
