"""The public API's hot path (``adapters/admission_db.py``): one autocommit statement
checks an access token's revocation and takes from its buckets. A revoked token charges
no bucket; a pooled connection killed by the database is replaced without an error."""

from __future__ import annotations

import uuid

import pytest
from gw_support import bearer, code_flow, sign_up
from sqlalchemy import text

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def _bucket_stamps(gw, tenant_id: str) -> dict[str, object]:
    async with gw.runtime.uow() as uow:
        rows = await uow.session.execute(
            text("SELECT key, updated_at FROM rate_bucket WHERE tenant_id = :t"),
            {"t": uuid.UUID(tenant_id)},
        )
        return {row.key: row.updated_at for row in rows}


async def test_a_revoked_token_is_refused_without_charging_its_buckets(gw):
    account = await sign_up(gw)
    token = (await code_flow(gw, account["email"]))["access_token"]
    assert (await gw.http.get("/api/v1/me", headers=bearer(token))).status_code == 200
    charged = await _bucket_stamps(gw, account["tenant_id"])
    assert len(charged) == 2, "one client bucket and one tenant bucket"
    revoked = await gw.http.post(
        "/oauth/revoke",
        data={"token": token, "token_type_hint": "access_token", "client_id": "restock-web"},
    )
    assert revoked.status_code == 200, revoked.text
    refused = await gw.http.get("/api/v1/me", headers=bearer(token))
    assert refused.status_code == 401, "revocation applies to the very next call"
    assert await _bucket_stamps(gw, account["tenant_id"]) == charged


async def test_a_connection_killed_by_the_database_is_replaced(gw):
    account = await sign_up(gw)
    token = (await code_flow(gw, account["email"]))["access_token"]
    assert (await gw.http.get("/api/v1/me", headers=bearer(token))).status_code == 200
    async with gw.runtime.uow() as uow:
        killed = await uow.session.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE application_name = 'api-gateway-admit' AND datname = current_database()"
            )
        )
        assert killed.all(), "the hot-path pool holds a connection"
    again = await gw.http.get("/api/v1/me", headers=bearer(token))
    assert again.status_code == 200, again.text
