"""The public allowlist (architecture §3): each public route answers without a token,
and every other route answers 401 without one."""

from __future__ import annotations

import pytest
from gw_support import sign_up

pytestmark = pytest.mark.asyncio(loop_scope="module")

PUBLIC = {
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/metrics"),
    ("GET", "/openapi.json"),
    ("GET", "/docs"),
    ("GET", "/docs/oauth2-redirect"),
    ("POST", "/v1/signup"),
    ("POST", "/v1/signup/invitation"),
    ("POST", "/v1/password-resets"),
    ("POST", "/v1/password-resets/confirm"),
    ("GET", "/oauth/authorize"),
    ("GET", "/login"),
    ("POST", "/login"),
    ("POST", "/oauth/token"),
    ("POST", "/oauth/revoke"),
    ("GET", "/.well-known/jwks.json"),
    ("GET", "/.well-known/openid-configuration"),
    ("GET", "/.well-known/oauth-authorization-server"),
}


async def test_every_non_public_route_requires_a_token(gw):
    document = (await gw.http.get("/openapi.json")).json()
    checked = 0
    for path, operations in document["paths"].items():
        for method in operations:
            if (method.upper(), path) in PUBLIC:
                continue
            concrete = path.replace("{user_id}", "00000000-0000-0000-0000-000000000000")
            concrete = concrete.replace("{key_id}", "00000000-0000-0000-0000-000000000000")
            concrete = concrete.replace("{client_id}", "pc-x")
            response = await gw.http.request(method.upper(), concrete, json={})
            assert response.status_code == 401, (method, path, response.text)
            checked += 1
    assert checked >= 12


async def test_health(gw):
    assert (await gw.http.get("/healthz")).json() == {"status": "ok"}


async def test_discovery_documents(gw):
    for path in ("/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"):
        document = (await gw.http.get(path)).json()
        assert document["issuer"] == gw.url
        assert document["token_endpoint"] == f"{gw.url}/oauth/token"
        assert document["jwks_uri"] == f"{gw.url}/.well-known/jwks.json"
        assert document["code_challenge_methods_supported"] == ["S256"]
        assert "client_credentials" in document["grant_types_supported"]


async def test_jwks_publishes_at_least_two_keys(gw):
    jwks = (await gw.http.get("/.well-known/jwks.json")).json()
    assert len(jwks["keys"]) >= 2
    assert all(k["kty"] == "RSA" and k["kid"] and "d" not in k for k in jwks["keys"])


async def test_sign_up_is_public(gw):
    account = await sign_up(gw)
    assert account["tenant_id"] and account["user_id"]


async def test_login_page_and_login_post_are_public(gw):
    page = await gw.http.get(
        "/login?response_type=code&client_id=restock-web&code_challenge="
        + "a" * 43
        + "&code_challenge_method=S256&redirect_uri=http%3A%2F%2F127.0.0.1%3A5173%2Fauth%2Fcallback"
    )
    assert page.status_code == 200 and "<form" in page.text
    assert page.headers["x-frame-options"] == "DENY"
    posted = await gw.http.post("/login", data={"email": "a@b.co", "password": "x"})
    assert posted.status_code == 400


async def test_token_endpoint_is_public(gw):
    response = await gw.http.post("/oauth/token", data={"grant_type": "password"})
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"
    assert response.headers["cache-control"] == "no-store"


async def test_revocation_endpoint_is_public(gw):
    response = await gw.http.post(
        "/oauth/revoke", data={"token": "unknown", "client_id": "restock-web"}
    )
    assert response.status_code == 200
    unauthenticated = await gw.http.post("/oauth/revoke", data={"token": "unknown"})
    assert unauthenticated.status_code == 401
