"""OAuth against the running sandbox: redirect flow, organisation choice, refresh
serialisation with two concurrent refreshers, revoked grant, disconnect/revoke."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from cx_support import authorize, connect, execute, outbox, run_load, scalar, service

from connector_xero.adapters.identity import XeroIdentity
from connector_xero.adapters.tokens import TokenStore
from platform_kit.db import Database
from restock_contracts.topics import SYNC
from xero_sandbox.config import Timings
from xero_sandbox.testing import fast_config, running_sandbox

pytestmark = pytest.mark.asyncio


async def test_redirect_flow_org_choice_and_state_binding(
    pg_url: str, kafka_bootstrap: str, keys_dir: Path, mint_token: Any, unique_name: str
) -> None:
    with running_sandbox(fast_config()) as sb:
        async with service(sb, pg_url, kafka_bootstrap, keys_dir, unique_name, mint_token) as svc:
            started = await svc.http.post("/v1/xero/authorizations", headers=svc.auth)
            url = started.json()["authorize_url"]
            assert "code_challenge_method=S256" in url and "state=" in url
            assert (await svc.http.post("/v1/xero/authorizations")).status_code == 401

            result = await authorize(svc, sb)
            orgs = {o["xero_tenant_id"] for o in result["organisations"]}
            assert orgs == set(sb.tenant_ids), "both orgs of the consent are offered"
            listed = await svc.http.get(
                f"/v1/xero/grants/{result['grant_id']}/organisations", headers=svc.auth
            )
            assert {o["name"] for o in listed.json()["items"]} == {
                "Kiwi Outdoor Gear Ltd",
                "Sydney Trail Supplies Pty Ltd",
            }
            other = mint_token(uuid.uuid4(), ["admin"])
            foreign = await svc.http.get(
                f"/v1/xero/grants/{result['grant_id']}/organisations",
                headers={"Authorization": f"Bearer {other}"},
            )
            assert foreign.status_code == 404, "grants are tenant-scoped"

            chosen = await svc.http.post(
                "/v1/xero/connections",
                headers=svc.auth,
                json={"grant_id": result["grant_id"], "xero_tenant_id": sb.tenant_ids[1]},
            )
            assert chosen.status_code == 201, chosen.text
            conn = chosen.json()
            assert conn["base_currency"] == "AUD" and conn["time_zone"] == "Australia/Sydney"
            assert conn["status"] == "active"
            established = list(await outbox(svc, SYNC.name))
            assert established[-1].payload.event_type == "connectors.connection_established"
            assert established[-1].payload.provider_tenant_id == sb.tenant_ids[1]
            assert established[-1].tenant_id == svc.tenant_id

            enc = await scalar(svc, "select access_token_enc from xero_grant")
            assert enc.startswith("v1."), "tokens encrypted at rest"
            grant_id = uuid.UUID(result["grant_id"])
            plain = svc.deps.keyring.decrypt(enc, f"xero-grant:{grant_id}:access")
            assert plain.startswith("eyJ") and plain not in enc

            # the state is single use, and unknown states are refused
            state_url = (await svc.http.post("/v1/xero/authorizations", headers=svc.auth)).json()
            state = httpx.URL(state_url["authorize_url"]).params["state"]
            code = await asyncio.to_thread(sb.authorize, sb_scopes(), state)
            first = await svc.http.get(
                "/oauth/xero/callback", params={"state": state, "code": code}
            )
            assert first.status_code == 200
            replay = await svc.http.get(
                "/oauth/xero/callback", params={"state": state, "code": code}
            )
            assert replay.status_code == 400
            forged = await svc.http.get(
                "/oauth/xero/callback", params={"state": "nope", "code": code}
            )
            assert forged.status_code == 400
            assert forged.headers["content-type"].startswith("application/problem+json")
            late_url = (await svc.http.post("/v1/xero/authorizations", headers=svc.auth)).json()
            late_state = httpx.URL(late_url["authorize_url"]).params["state"]
            late_code = await asyncio.to_thread(sb.authorize, sb_scopes(), late_state)
            await execute(svc, "update xero_oauth_state set expires_at = now() - interval '1 s'")
            expired = await svc.http.get(
                "/oauth/xero/callback", params={"state": late_state, "code": late_code}
            )
            assert expired.status_code == 400, "expired state refused"


def sb_scopes() -> str:
    from xero_sandbox.testing import DEFAULT_SCOPES

    return DEFAULT_SCOPES


async def test_two_concurrent_refreshers_rotate_once_and_revoked_grant_needs_reauth(
    pg_url: str, kafka_bootstrap: str, keys_dir: Path, mint_token: Any, unique_name: str
) -> None:
    config = fast_config(timings=dataclasses.replace(Timings(), refresh_grace=0.0))
    with running_sandbox(config) as sb:
        async with service(sb, pg_url, kafka_bootstrap, keys_dir, unique_name, mint_token) as svc:
            grant_id, connection_id = await connect(svc, sb)
            deps = svc.deps
            stale = await deps.tokens.access_token(grant_id)
            # a second "replica": its own engine, token store and HTTP client
            replica_db = Database(deps.db.url, deps.db.metadata, application_name="replica")
            async with httpx.AsyncClient() as http:
                replica = TokenStore(replica_db, deps.keyring, XeroIdentity(deps.settings, http))
                # both see the access token expire on the provider's clock at once
                await asyncio.to_thread(sb.advance, 1900)
                a, b = await asyncio.gather(
                    deps.tokens.refresh(grant_id, stale), replica.refresh(grant_id, stale)
                )
            await replica_db.dispose()
            assert a == b != stale
            rotated = [r for r in sb.sandbox.identity.refresh.values() if r.rotated_at is not None]
            assert len(rotated) == 1, "exactly one refresh reached Xero"
            assert await scalar(svc, "select refresh_count from xero_grant") == 1
            assert await scalar(svc, "select status from xero_grant") == "active"
            body = await deps.api.get(_org(grant_id, sb.tenant_ids[0]), "Organisation")
            assert body["Organisations"][0]["BaseCurrency"] == "NZD"

            # the user revokes the app at Xero: the connection needs re-authorisation
            refresh = await deps.tokens.refresh_token_of(grant_id)
            await asyncio.to_thread(
                sb.http.post,
                f"{sb.base_url}/connect/revocation",
                data={"token": refresh},
                auth=(sb.client_id, sb.client_secret),
            )
            job = await run_load(svc, connection_id, "full")
            assert job["status"] == "failed" and job["errors"][0]["code"] == "auth"
            conn = (
                await svc.http.get(f"/v1/xero/connections/{connection_id}", headers=svc.auth)
            ).json()
            assert conn["status"] == "needs_reauthorisation"
            token_calls = len(sb.sandbox.identity.refresh)
            job = await run_load(svc, connection_id, "incremental")
            assert job["status"] == "failed"
            assert len(sb.sandbox.identity.refresh) == token_calls, "no refresh loop"

            # re-authorising moves the organisation to a new, active grant
            await connect(svc, sb)
            conn = (
                await svc.http.get(f"/v1/xero/connections/{connection_id}", headers=svc.auth)
            ).json()
            assert conn["status"] == "active" and conn["grant_id"] != str(grant_id)


def _org(grant_id: uuid.UUID, tenant: str) -> Any:
    from connector_xero.adapters.xero_api import OrgRef

    return OrgRef(grant_id, tenant)


async def test_disconnect_revokes_only_with_the_last_connection(
    pg_url: str, kafka_bootstrap: str, keys_dir: Path, mint_token: Any, unique_name: str
) -> None:
    with running_sandbox(fast_config()) as sb:
        async with service(sb, pg_url, kafka_bootstrap, keys_dir, unique_name, mint_token) as svc:
            grant_id, first = await connect(svc, sb, 0)
            result = await svc.http.post(
                "/v1/xero/connections",
                headers=svc.auth,
                json={"grant_id": str(grant_id), "xero_tenant_id": sb.tenant_ids[1]},
            )
            second = result.json()["connection_id"]
            listed = (await svc.http.get("/v1/xero/connections", headers=svc.auth)).json()
            assert listed["total"] == 2
            client_conns = sb.sandbox.identity.connections[sb.client_id]
            assert len(client_conns) == 2

            assert (
                await svc.http.delete(f"/v1/xero/connections/{first}", headers=svc.auth)
            ).status_code == 204
            assert set(client_conns) == {sb.tenant_ids[1]}, "only that connection deleted at Xero"
            assert not any(g.revoked for g in sb.sandbox.identity.grants.values())
            assert await scalar(svc, "select count(*) from xero_grant") == 1

            assert (
                await svc.http.delete(f"/v1/xero/connections/{second}", headers=svc.auth)
            ).status_code == 204
            assert all(g.revoked for g in sb.sandbox.identity.grants.values()), "last one revokes"
            assert await scalar(svc, "select count(*) from xero_grant") == 0
            removed = [
                e
                for e in await outbox(svc, SYNC.name)
                if e.event_type == "connectors.connection_removed"
            ]
            assert len(removed) == 2
