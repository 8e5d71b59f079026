"""Sign-up → invitation → role change, password reset and personal API keys."""

from __future__ import annotations

import pytest
from gw_support import PASSWORD, bearer, code_flow, read_mail, sign_up
from sqlalchemy import select

from api_gateway.adapters.orm import api_key, user_account

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_invite_accept_and_change_role(gw):
    owner = await sign_up(gw, tenant="Invite Co")
    admin = (await code_flow(gw, owner["email"]))["access_token"]
    invited = await gw.http.post(
        "/v1/invitations",
        json={"email": "Planner@Example.com", "role": "viewer"},
        headers=bearer(admin),
    )
    assert invited.status_code == 201, invited.text
    token = read_mail(gw.mail_file, "planner@example.com", "invitation")
    joined = await gw.http.post(
        "/v1/signup/invitation", json={"token": token, "password": "another good password"}
    )
    assert joined.status_code == 201, joined.text
    assert joined.json()["tenant_id"] == owner["tenant_id"]
    user_id = joined.json()["user_id"]
    again = await gw.http.post(
        "/v1/signup/invitation", json={"token": token, "password": "another good password"}
    )
    assert again.status_code == 401, "an invitation works once"

    viewer = await code_flow(gw, "planner@example.com", "another good password")
    me = await gw.http.get("/v1/me", headers=bearer(viewer["access_token"]))
    assert me.json()["roles"] == ["viewer"]
    forbidden = await gw.http.post(
        "/v1/invitations",
        json={"email": "x@example.com", "role": "admin"},
        headers=bearer(viewer["access_token"]),
    )
    assert forbidden.status_code == 403

    changed = await gw.http.put(
        f"/v1/members/{user_id}/role", json={"role": "approver"}, headers=bearer(admin)
    )
    assert changed.status_code == 204, changed.text
    assert (await gw.http.get("/v1/me", headers=bearer(viewer["access_token"]))).status_code == 401
    promoted = await code_flow(gw, "planner@example.com", "another good password")
    me = await gw.http.get("/v1/me", headers=bearer(promoted["access_token"]))
    assert me.json()["roles"] == ["approver"]
    listing = await gw.http.get("/v1/members", headers=bearer(admin))
    assert {(m["email"], m["role"]) for m in listing.json()} == {
        (owner["email"], "admin"),
        ("planner@example.com", "approver"),
    }
    last_admin = await gw.http.put(
        f"/v1/members/{owner['user_id']}/role", json={"role": "viewer"}, headers=bearer(admin)
    )
    assert last_admin.status_code == 409


async def test_sign_up_validation_and_duplicates(gw):
    account = await sign_up(gw, time_zone="Europe/Tallinn", base_currency="EUR")
    duplicate = await gw.http.post(
        "/v1/signup",
        json={"email": account["email"].upper(), "password": PASSWORD, "tenant_name": "Again"},
    )
    assert duplicate.status_code == 409
    short = await gw.http.post(
        "/v1/signup", json={"email": "new@example.com", "password": "short", "tenant_name": "X"}
    )
    assert short.status_code == 422
    bad_currency = await gw.http.post(
        "/v1/signup",
        json={
            "email": "n2@example.com",
            "password": PASSWORD,
            "tenant_name": "X",
            "base_currency": "euro",
        },
    )
    assert bad_currency.status_code == 422
    async with gw.runtime.uow() as uow:
        stored = (
            await uow.session.execute(
                select(user_account.c.password_hash).where(user_account.c.email == account["email"])
            )
        ).scalar_one()
    assert stored.startswith("scrypt$") and PASSWORD not in stored


async def test_password_reset_by_mail(gw):
    account = await sign_up(gw)
    first = await code_flow(gw, account["email"])
    unknown = await gw.http.post("/v1/password-resets", json={"email": "nobody@example.com"})
    assert unknown.status_code == 202
    asked = await gw.http.post("/v1/password-resets", json={"email": account["email"]})
    assert asked.status_code == 202
    token = read_mail(gw.mail_file, account["email"], "password_reset")
    done = await gw.http.post(
        "/v1/password-resets/confirm", json={"token": token, "password": "a brand new secret"}
    )
    assert done.status_code == 204, done.text
    assert (await gw.http.get("/v1/me", headers=bearer(first["access_token"]))).status_code == 401
    reused = await gw.http.post(
        "/v1/password-resets/confirm", json={"token": token, "password": "yet another secret"}
    )
    assert reused.status_code == 401
    token = await code_flow(gw, account["email"], "a brand new secret")
    assert (await gw.http.get("/v1/me", headers=bearer(token["access_token"]))).status_code == 200


async def test_personal_api_keys_are_hashed_shown_once_and_revocable(gw):
    account = await sign_up(gw)
    admin = (await code_flow(gw, account["email"]))["access_token"]
    created = await gw.http.post("/v1/api-keys", json={"name": "ci"}, headers=bearer(admin))
    assert created.status_code == 201, created.text
    key = created.json()["key"]
    assert key.startswith("rsk_")
    me = await gw.http.get("/v1/me", headers=bearer(key))
    assert me.status_code == 200 and me.json()["via"] == "api_key"
    assert me.json()["roles"] == ["admin"]
    listing = await gw.http.get("/v1/api-keys", headers=bearer(admin))
    assert key not in listing.text and listing.json()[0]["last_used_at"] is not None
    async with gw.runtime.uow() as uow:
        rows = (await uow.session.execute(select(api_key))).all()
    assert all(key not in str(tuple(row)) for row in rows)
    nested = await gw.http.post("/v1/api-keys", json={"name": "x"}, headers=bearer(key))
    assert nested.status_code == 403
    revoked = await gw.http.delete(
        f"/v1/api-keys/{created.json()['key_id']}", headers=bearer(admin)
    )
    assert revoked.status_code == 204
    assert (await gw.http.get("/v1/me", headers=bearer(key))).status_code == 401


async def test_pruning_drops_expired_tokens_and_keeps_live_ones(gw):
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import insert

    from api_gateway.adapters.orm import access_token
    from api_gateway.handlers.maintenance import prune_once

    account = await sign_up(gw)
    live = (await code_flow(gw, account["email"]))["access_token"]
    stale = "stale-" + account["user_id"][:8]
    async with gw.runtime.uow() as uow:
        await uow.session.execute(
            insert(access_token).values(
                jti=stale,
                tenant_id=account["tenant_id"],
                client_id="restock-web",
                subject=account["user_id"],
                expires_at=datetime.now(UTC) - timedelta(days=2),
            )
        )
        await uow.commit()
    await prune_once(gw.runtime)
    async with gw.runtime.uow() as uow:
        left = (
            await uow.session.execute(select(access_token.c.jti).where(access_token.c.jti == stale))
        ).all()
    assert left == []
    assert (await gw.http.get("/v1/me", headers=bearer(live))).status_code == 200
