"""Tenant lifecycle: attributes from the first connection, and deletion purging the
gateway's data, publishing TenantDeleted and purging every other service."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import uuid
from datetime import UTC, datetime

import pytest
from gw_support import bearer, code_flow, read_mail, sign_up, tenant_events
from sqlalchemy import func, select

from api_gateway.adapters.orm import metadata
from platform_kit.service import create_app
from platform_kit.testing.servers import serve_app
from restock_contracts.sync.v1 import ConnectionEstablished
from restock_contracts.topics import SYNC

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def _tenant_rows(runtime, tenant_id) -> dict[str, int]:
    counts = {}
    async with runtime.uow() as uow:
        for table in metadata.sorted_tables:
            if "tenant_id" in table.c and table.name not in {"inbox", "outbox", "tenant"}:
                counts[table.name] = (
                    await uow.session.execute(
                        select(func.count())
                        .select_from(table)
                        .where(table.c.tenant_id == tenant_id)
                    )
                ).scalar_one()
    return counts


async def test_first_connection_fills_tenant_attributes(gw, kafka_bootstrap):
    account = await sign_up(gw)
    tenant_id = uuid.UUID(account["tenant_id"])
    event = ConnectionEstablished(
        connection_id=uuid.uuid4(),
        source="xero",
        organisation_name="Acme Ltd",
        base_currency="NZD",
        time_zone="Pacific/Auckland",
        provider_tenant_id="x-1",
        established_at=datetime.now(UTC),
    )
    async with gw.runtime.uow() as uow:
        uow.publish(SYNC.envelope(event, tenant_id=tenant_id, producer="test"), SYNC.name)
        await uow.commit()
    token = (await code_flow(gw, account["email"]))["access_token"]
    body = {}
    for _ in range(200):
        body = (await gw.http.get("/v1/tenants/current", headers=bearer(token))).json()
        if body.get("primary_source"):
            break
        await asyncio.sleep(0.1)
    assert body["primary_source"] == "xero"
    assert body["base_currency"] == "NZD" and body["time_zone"] == "Pacific/Auckland"
    events = await tenant_events(kafka_bootstrap, tenant_id, "tenancy.tenant_updated")
    assert events[:2] == ["tenancy.tenant_created", "tenancy.tenant_updated"]


SERVICES = ("connector_katana", "connector_xero", "forecaster", "planner", "po_gateway")


def _service_app(package: str, pg_url, kafka_bootstrap, keys_dir, unique_name):
    app_module = importlib.import_module(f"{package}.app")
    settings_module = importlib.import_module(f"{package}.settings")
    settings = settings_module.Settings(
        database_url=pg_url,
        kafka_bootstrap_servers=kafka_bootstrap,
        keys_dir=keys_dir,
        database_name=f"{unique_name}_{package}",
        consumer_session_timeout_ms=2000,
        log_json=False,
    )
    return create_app(app_module.build_spec(settings))


async def _statuses(apps, tenant_id) -> dict[str, str | None]:
    found = {}
    for package, app in apps.items():
        runtime = app.state.runtime
        table = runtime.db.metadata.tables["tenant"]
        async with runtime.uow() as uow:
            found[package] = (
                await uow.session.execute(
                    select(table.c.status).where(table.c.tenant_id == tenant_id)
                )
            ).scalar_one_or_none()
    return found


async def _wait_all(apps, tenant_id, wanted: str) -> dict[str, str | None]:
    statuses: dict[str, str | None] = {}
    for _ in range(300):
        statuses = await _statuses(apps, tenant_id)
        if all(status == wanted for status in statuses.values()):
            break
        await asyncio.sleep(0.1)
    return statuses


async def test_tenant_deletion_purges_everywhere(
    gw, pg_url, kafka_bootstrap, keys_dir, unique_name
):
    apps = {p: _service_app(p, pg_url, kafka_bootstrap, keys_dir, unique_name) for p in SERVICES}
    async with contextlib.AsyncExitStack() as stack:
        for app in apps.values():
            await stack.enter_async_context(serve_app(app))
        account = await sign_up(gw, tenant="Doomed Ltd")
        tenant_id = uuid.UUID(account["tenant_id"])
        admin = (await code_flow(gw, account["email"]))["access_token"]
        await gw.http.post(
            "/v1/invitations",
            json={"email": "member@doomed.example", "role": "planner"},
            headers=bearer(admin),
        )
        invite = read_mail(gw.mail_file, "member@doomed.example", "invitation")
        await gw.http.post(
            "/v1/signup/invitation", json={"token": invite, "password": "member password 1"}
        )
        await gw.http.post("/v1/api-keys", json={"name": "k"}, headers=bearer(admin))
        await gw.http.post("/v1/oauth-clients", json={"name": "p"}, headers=bearer(admin))
        before = await _tenant_rows(gw.runtime, tenant_id)
        assert before["membership"] == 2 and before["api_key"] == 1 and before["oauth_client"] == 1
        assert before["refresh_token"] >= 1 and before["access_token"] >= 1

        provisioned = await _wait_all(apps, tenant_id, "active")
        assert set(provisioned.values()) == {"active"}, f"every service provisions: {provisioned}"

        unconfirmed = await gw.http.delete("/v1/tenants/current", headers=bearer(admin))
        assert unconfirmed.status_code == 428
        deleted = await gw.http.delete(
            "/v1/tenants/current",
            headers={**bearer(admin), "X-Confirm-Tenant-Deletion": str(tenant_id)},
        )
        assert deleted.status_code == 204, deleted.text

        after = await _tenant_rows(gw.runtime, tenant_id)
        assert all(count == 0 for name, count in after.items() if name != "audit_event"), after
        assert (await gw.http.get("/v1/me", headers=bearer(admin))).status_code == 401
        login = await gw.http.post("/v1/password-resets", json={"email": "member@doomed.example"})
        assert login.status_code == 202
        async with gw.runtime.uow() as uow:
            users = metadata.tables["user_account"]
            left = (
                await uow.session.execute(
                    select(func.count())
                    .select_from(users)
                    .where(users.c.email.in_([account["email"], "member@doomed.example"]))
                )
            ).scalar_one()
        assert left == 0, "users without any tenant are deleted"

        events = await tenant_events(kafka_bootstrap, tenant_id, "tenancy.tenant_deleted")
        assert events[0] == "tenancy.tenant_created" and events[-1] == "tenancy.tenant_deleted"
        purged = await _wait_all(apps, tenant_id, "deleted")
        assert set(purged.values()) == {"deleted"}, f"every service purges: {purged}"
