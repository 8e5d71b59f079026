"""OAuth flows end to end: code + PKCE, refresh rotation and reuse, revocation, client
credentials, and the tokens the API refuses."""

from __future__ import annotations

import asyncio
import base64
import json
import time
import uuid

import jwt
import pytest
from gw_support import PASSWORD, bearer, browser_login, code_flow, oauth_client, sign_up

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_code_flow_with_pkce_gives_a_jwt_for_the_signed_up_admin(gw):
    account = await sign_up(gw)
    token = await code_flow(gw, account["email"])
    header = jwt.get_unverified_header(token["access_token"])
    jwks = (await gw.http.get("/.well-known/jwks.json")).json()
    assert header["kid"] in {key["kid"] for key in jwks["keys"]}
    assert header["typ"] == "at+jwt"
    me = await gw.http.get("/v1/me", headers=bearer(token["access_token"]))
    assert me.status_code == 200, me.text
    assert me.json()["tenant_id"] == account["tenant_id"]
    assert me.json()["roles"] == ["admin"]
    assert me.json()["email"] == account["email"]
    claims = jwt.decode(token["access_token"], options={"verify_signature": False})
    assert claims["aud"] == "restock-api" and claims["iss"] == gw.url
    assert token["refresh_token"] and token["token_type"].lower() == "bearer"
    id_key = jwt.PyJWK(
        next(
            k
            for k in jwks["keys"]
            if k["kid"] == jwt.get_unverified_header(token["id_token"])["kid"]
        )
    )
    id_token = jwt.decode(
        token["id_token"], id_key.key, algorithms=["RS256"], audience="restock-web", issuer=gw.url
    )
    assert id_token["sub"] == account["user_id"] and id_token["email"] == account["email"]


async def test_wrong_code_verifier_and_replayed_code_are_refused(gw):
    account = await sign_up(gw)
    with oauth_client(gw) as client:
        verifier = "v" * 50
        url, _ = client.create_authorization_url(
            f"{gw.url}/oauth/authorize", code_verifier=verifier
        )
        answer = await browser_login(gw, url, account["email"], PASSWORD)
        code = answer.headers["location"].split("code=")[1].split("&")[0]
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "client_id": "restock-web",
            "redirect_uri": "http://127.0.0.1:5173/auth/callback",
        }
        bad = await gw.http.post("/oauth/token", data={**form, "code_verifier": "w" * 50})
        assert bad.status_code == 400 and bad.json()["error"] == "invalid_grant"
        good = await gw.http.post("/oauth/token", data={**form, "code_verifier": verifier})
        assert good.status_code == 200, good.text
        access = good.json()["access_token"]
        assert (await gw.http.get("/v1/me", headers=bearer(access))).status_code == 200
        replay = await gw.http.post("/oauth/token", data={**form, "code_verifier": verifier})
        assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
    # a replayed code revokes what the code produced
    assert (await gw.http.get("/v1/me", headers=bearer(access))).status_code == 401


async def test_authorize_requires_pkce_and_a_registered_redirect(gw):
    base = "/oauth/authorize?response_type=code&client_id=restock-web&state=s1"
    no_pkce = await gw.http.get(
        base + "&redirect_uri=http%3A%2F%2F127.0.0.1%3A5173%2Fauth%2Fcallback"
    )
    assert no_pkce.status_code == 302
    assert "error=invalid_request" in no_pkce.headers["location"]
    evil = await gw.http.get(
        base + "&code_challenge=" + "a" * 43 + "&code_challenge_method=S256"
        "&redirect_uri=https%3A%2F%2Fevil.example%2Fcb"
    )
    assert evil.status_code == 400 and "location" not in evil.headers


async def test_refresh_rotates_and_reuse_revokes_the_family(gw):
    account = await sign_up(gw)
    first = await code_flow(gw, account["email"])
    form = {"grant_type": "refresh_token", "client_id": "restock-web"}
    second = await gw.http.post(
        "/oauth/token", data={**form, "refresh_token": first["refresh_token"]}
    )
    assert second.status_code == 200, second.text
    rotated = second.json()
    assert rotated["refresh_token"] != first["refresh_token"]
    assert (await gw.http.get("/v1/me", headers=bearer(rotated["access_token"]))).status_code == 200
    reuse = await gw.http.post(
        "/oauth/token", data={**form, "refresh_token": first["refresh_token"]}
    )
    assert reuse.status_code == 400 and reuse.json()["error"] == "invalid_grant"
    # the whole family is gone: the newest refresh token and its access token too
    again = await gw.http.post(
        "/oauth/token", data={**form, "refresh_token": rotated["refresh_token"]}
    )
    assert again.status_code == 400
    assert (await gw.http.get("/v1/me", headers=bearer(rotated["access_token"]))).status_code == 401


async def test_revocation_of_refresh_and_access_tokens(gw):
    account = await sign_up(gw)
    first = await code_flow(gw, account["email"])
    revoked = await gw.http.post(
        "/oauth/revoke",
        data={
            "token": first["access_token"],
            "token_type_hint": "access_token",
            "client_id": "restock-web",
        },
    )
    assert revoked.status_code == 200, revoked.text
    assert (await gw.http.get("/v1/me", headers=bearer(first["access_token"]))).status_code == 401
    refresh = await gw.http.post(
        "/oauth/token",
        data={
            "grant_type": "refresh_token",
            "client_id": "restock-web",
            "refresh_token": first["refresh_token"],
        },
    )
    assert refresh.status_code == 200, "revoking an access token keeps the refresh token"
    second = await code_flow(gw, account["email"])
    out = await gw.http.post(
        "/oauth/revoke", data={"token": second["refresh_token"], "client_id": "restock-web"}
    )
    assert out.status_code == 200
    assert (await gw.http.get("/v1/me", headers=bearer(second["access_token"]))).status_code == 401
    dead = await gw.http.post(
        "/oauth/token",
        data={
            "grant_type": "refresh_token",
            "client_id": "restock-web",
            "refresh_token": second["refresh_token"],
        },
    )
    assert dead.status_code == 400


async def test_client_credentials_for_a_partner_app(gw):
    account = await sign_up(gw)
    admin = await code_flow(gw, account["email"])
    created = await gw.http.post(
        "/v1/oauth-clients",
        json={"name": "Partner BI", "role": "viewer"},
        headers=bearer(admin["access_token"]),
    )
    assert created.status_code == 201, created.text
    client = created.json()
    with oauth_client(
        gw,
        client_id=client["client_id"],
        client_secret=client["client_secret"],
        scope="api",
        token_endpoint_auth_method="client_secret_basic",
    ) as partner:
        token = await asyncio.to_thread(
            partner.fetch_token, f"{gw.url}/oauth/token", grant_type="client_credentials"
        )
    assert "refresh_token" not in token
    me = await gw.http.get("/v1/me", headers=bearer(token["access_token"]))
    assert me.status_code == 200, me.text
    assert me.json()["sub"] == client["client_id"] and me.json()["roles"] == ["viewer"]
    members = await gw.http.get("/v1/members", headers=bearer(token["access_token"]))
    assert members.status_code == 200
    invite = await gw.http.post(
        "/v1/invitations",
        json={"email": "x@example.com", "role": "viewer"},
        headers=bearer(token["access_token"]),
    )
    assert invite.status_code == 403
    wrong = await gw.http.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(client["client_id"], "not-the-secret"),
    )
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"


def _forge(token: str, **changes) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims.update(changes)
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"{header}.{body}.{signature}"


async def test_expired_tampered_and_wrong_audience_tokens_are_refused(gw):
    account = await sign_up(gw)
    token = (await code_flow(gw, account["email"]))["access_token"]
    key = await gw.runtime.extras["identity"].keys.current()
    claims = jwt.decode(token, options={"verify_signature": False})
    headers = {"kid": key.kid, "typ": "at+jwt"}
    expired = jwt.encode(
        {**claims, "exp": int(time.time()) - 60}, key.private_key, "RS256", headers
    )
    wrong_aud = jwt.encode({**claims, "aud": "restock-internal"}, key.private_key, "RS256", headers)
    wrong_iss = jwt.encode(
        {**claims, "iss": "https://evil.example"}, key.private_key, "RS256", headers
    )
    tampered = _forge(token, roles=["admin"], tenant_id="00000000-0000-0000-0000-000000000000")
    for bad in (expired, wrong_aud, wrong_iss, tampered, token[:-3] + "abc", "garbage"):
        response = await gw.http.get("/v1/me", headers=bearer(bad))
        assert response.status_code == 401, bad
        assert response.headers["content-type"].startswith("application/problem+json")
    assert (await gw.http.get("/v1/me", headers=bearer(token))).status_code == 200


async def test_login_is_throttled_per_account_and_csrf_checked(gw):
    account = await sign_up(gw)
    with oauth_client(gw) as client:
        url, _ = client.create_authorization_url(
            f"{gw.url}/oauth/authorize", code_verifier="v" * 50
        )
        for _ in range(5):
            wrong = await browser_login(gw, url, account["email"], "wrong password!!")
            assert wrong.status_code == 401
        blocked = await browser_login(gw, url, account["email"], PASSWORD)
        assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) > 0
        other = await sign_up(gw)
        assert (await browser_login(gw, url, other["email"], PASSWORD)).status_code == 302
        forged = await gw.http.post(
            url.replace("/oauth/authorize", "/login"),
            data={"email": other["email"], "password": PASSWORD, "csrf_token": "x"},
        )
        assert forged.status_code == 400


async def test_login_is_throttled_per_ip(pg_url, kafka_bootstrap, keys_dir, tmp_path):
    from gw_support import running_gateway

    async with running_gateway(
        pg_url,
        kafka_bootstrap,
        keys_dir,
        "gw_ip_" + uuid.uuid4().hex[:8],
        tmp_path,
        login_max_failures_per_ip=3,
        trusted_proxy_hops=1,
    ) as gw:
        account = await sign_up(gw)
        attacker = {"X-Forwarded-For": "203.0.113.9"}
        with oauth_client(gw) as client:
            url, _ = client.create_authorization_url(
                f"{gw.url}/oauth/authorize", code_verifier="v" * 50
            )
            for i in range(3):
                failed = await browser_login(gw, url, f"nobody{i}@example.com", "x" * 12, attacker)
                assert failed.status_code == 401
            blocked = await browser_login(gw, url, account["email"], PASSWORD, attacker)
            assert blocked.status_code == 429
            elsewhere = {"X-Forwarded-For": "203.0.113.9, 198.51.100.7"}
            allowed = await browser_login(gw, url, account["email"], PASSWORD, elsewhere)
            assert allowed.status_code == 302, "the proxy's view of the client decides"
