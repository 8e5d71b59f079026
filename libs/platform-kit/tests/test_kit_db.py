"""Kit pieces that need a real Postgres: Idempotency-Key, tenant purge, unit of work."""

from __future__ import annotations

import uuid

import probe
import pytest
from sqlalchemy import func, select

from platform_kit.db import UnitOfWork
from platform_kit.http.idempotency import IdempotencyGuard
from platform_kit.http.problems import Problem
from platform_kit.tenancy import is_active, purge_tenant, upsert_tenant
from restock_contracts.tenancy.v1 import TenantCreated

pytestmark = pytest.mark.asyncio


async def test_idempotency_key_replays_rejects_changed_body_and_in_flight(
    pg_url: str, unique_name: str
) -> None:
    db = await probe.make_db(pg_url, unique_name)
    tenant = uuid.uuid4()
    async with UnitOfWork(db) as uow:
        guard = IdempotencyGuard(uow, tenant, "key-1", "POST", "/v1/things", {"a": 1})
        assert await guard.begin() is None
        async with UnitOfWork(db) as racing:
            other = IdempotencyGuard(racing, tenant, "key-1", "POST", "/v1/things", {"a": 1})
            with pytest.raises(TimeoutError):  # blocked by the uncommitted reservation
                await _with_timeout(other.begin())
        await guard.finish(201, {"id": "thing-1"})
        await uow.commit()
    async with UnitOfWork(db) as uow:
        stored = await IdempotencyGuard(
            uow, tenant, "key-1", "POST", "/v1/things", {"a": 1}
        ).begin()
        assert stored is not None and stored.status_code == 201 and stored.body == {"id": "thing-1"}
        with pytest.raises(Problem) as changed:
            await IdempotencyGuard(uow, tenant, "key-1", "POST", "/v1/things", {"a": 2}).begin()
        assert changed.value.status == 422
    async with UnitOfWork(db) as uow:
        fresh = IdempotencyGuard(uow, uuid.uuid4(), "key-1", "POST", "/v1/things", {"a": 1})
        assert await fresh.begin() is None, "keys are scoped per tenant"
    await db.dispose()


async def _with_timeout(coro: object) -> object:
    import asyncio

    return await asyncio.wait_for(coro, 1.0)  # type: ignore[arg-type]


async def test_purge_removes_only_that_tenant_and_leaves_a_tombstone(
    pg_url: str, unique_name: str
) -> None:
    db = await probe.make_db(pg_url, unique_name)
    a, b = uuid.uuid4(), uuid.uuid4()
    async with UnitOfWork(db) as uow:
        for t in (a, b):
            await upsert_tenant(
                uow,
                TenantCreated(
                    tenant_id=t,
                    name=str(t),
                    time_zone="UTC",
                    base_currency="EUR",
                    primary_source="katana",
                ),
            )
            await uow.session.execute(
                probe.effect.insert().values(event_id=uuid.uuid4(), tenant_id=t)
            )
        await uow.commit()
    async with UnitOfWork(db) as uow:
        counts = await purge_tenant(uow, a)
        await uow.commit()
    assert counts["effect"] == 1
    async with UnitOfWork(db) as uow:
        assert not await is_active(uow, a)
        assert await is_active(uow, b)
        remaining = (
            await uow.session.execute(
                select(probe.effect.c.tenant_id, func.count()).group_by(probe.effect.c.tenant_id)
            )
        ).all()
        assert dict(remaining) == {b: 1}
        await upsert_tenant(
            uow,
            TenantCreated(
                tenant_id=a,
                name="late event",
                time_zone="UTC",
                base_currency="EUR",
                primary_source="katana",
            ),
        )
        await uow.commit()
    async with UnitOfWork(db) as uow:
        assert not await is_active(uow, a), (
            "a late created/updated event must not resurrect a deleted tenant"
        )
    await db.dispose()


async def test_unit_of_work_without_commit_writes_nothing(pg_url: str, unique_name: str) -> None:
    db = await probe.make_db(pg_url, unique_name)
    tenant = uuid.uuid4()
    async with UnitOfWork(db) as uow:
        uow.publish(probe.tenant_event(tenant, 1), "tenancy.tenants.v1")
        await uow.session.execute(
            probe.effect.insert().values(event_id=uuid.uuid4(), tenant_id=tenant)
        )
    async with UnitOfWork(db) as uow:
        outbox = db.tables["outbox"]
        assert (
            await uow.session.execute(select(func.count()).select_from(outbox))
        ).scalar_one() == 0
        assert (
            await uow.session.execute(select(func.count()).select_from(probe.effect))
        ).scalar_one() == 0
    await db.dispose()


async def test_key_rotation_rewraps_stored_secrets(
    pg_url: str, unique_name: str, tmp_path: object
) -> None:
    from pathlib import Path

    from sqlalchemy import Column, String, Table, text

    from platform_kit.crypto import KeyRing, add_primary_key
    from platform_kit.db import Database, service_metadata
    from platform_kit.db.migrations import ensure_database
    from platform_kit.db.secrets import rewrap_secrets

    keys_dir = Path(str(tmp_path))
    ring = KeyRing.load(keys_dir)
    old_kid = ring.primary_id
    metadata = service_metadata()
    Table("connection", metadata, Column("id", String, primary_key=True), Column("api_key", String))
    await ensure_database(pg_url, unique_name)
    url = (
        pg_url.replace("postgresql://", "postgresql+asyncpg://").rsplit("/", 1)[0]
        + f"/{unique_name}"
    )
    db = Database(url, metadata, application_name="t")
    async with db.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
        for i in range(3):
            await conn.execute(
                text("insert into connection values (:i, :k)"),
                {"i": f"c{i}", "k": ring.encrypt(f"secret-{i}", aad=f"c{i}")},
            )
    new_kid = add_primary_key(keys_dir)
    rotated = KeyRing.load(keys_dir)
    assert rotated.primary_id == new_kid != old_kid
    assert await rewrap_secrets(db, rotated, [("connection", "api_key", "id")]) == 3
    async with db.engine.connect() as conn:
        rows = (await conn.execute(text("select id, api_key from connection order by id"))).all()
    newest_only = KeyRing.parse(new_key_line(keys_dir))
    for i, (cid, token) in enumerate(rows):
        assert token.split(".")[1] == new_kid
        assert newest_only.decrypt(token, aad=cid) == f"secret-{i}", (
            "the new key alone decrypts after re-wrapping"
        )
    await db.dispose()


def new_key_line(keys_dir: object) -> str:
    from pathlib import Path

    return Path(str(keys_dir), "encryption.keys").read_text().splitlines()[0]
