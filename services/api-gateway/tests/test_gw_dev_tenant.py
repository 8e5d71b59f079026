"""``python -m api_gateway dev-tenant`` (used by ``make up``): a tenant with an admin
whose printed password signs in, and an internal token; ``--if-missing`` reuses it."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import uuid

import pytest
from gw_support import bearer, code_flow, running_gateway

from platform_kit.auth import InternalKeys

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def _dev_tenant(env: dict[str, str], *args: str) -> dict:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "api_gateway",
        "dev-tenant",
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 0, err.decode()[-2000:]
    return json.loads(out.decode().strip().splitlines()[-1])


async def test_dev_tenant_signs_up_an_admin_and_mints_a_token(
    pg_url, kafka_bootstrap, keys_dir, tmp_path
):
    database = "gw_dev_" + uuid.uuid4().hex[:8]
    env = {
        **os.environ,
        "DATABASE_URL": pg_url,
        "API_GATEWAY_DATABASE_NAME": database,
        "RESTOCK_KEYS_DIR": str(keys_dir),
        "API_GATEWAY_LOG_JSON": "false",
        "API_GATEWAY_PASSWORD_LOG_N": "12",
    }
    env.pop("KAFKA_BOOTSTRAP_SERVERS", None)
    first = await _dev_tenant(
        env, "--name", "Demo Manufacturing", "--if-missing", "--currency", "EUR"
    )
    assert first["created"] and first["admin_password"] and first["name"] == "Demo Manufacturing"
    principal = InternalKeys.load(keys_dir).verify(first["token"])
    assert str(principal.tenant_id) == first["tenant_id"] and principal.has_role("admin")
    again = await _dev_tenant(env, "--name", "Demo Manufacturing", "--if-missing")
    assert again["tenant_id"] == first["tenant_id"] and not again["created"]
    assert again["admin_password"] is None
    async with running_gateway(pg_url, kafka_bootstrap, keys_dir, database, tmp_path) as gw:
        token = await code_flow(gw, first["admin_email"], first["admin_password"])
        me = await gw.http.get("/v1/me", headers=bearer(token["access_token"]))
        assert me.json()["tenant_id"] == first["tenant_id"] and me.json()["roles"] == ["admin"]
