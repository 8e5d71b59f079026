"""Identity: consent, code exchange, rotation with grace, expiry, revocation, tenant checks."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlencode, urlparse

import httpx

from xero_sandbox.testing import DEFAULT_SCOPES, RunningSandbox, pkce_pair


def _refresh(sb: RunningSandbox, token: str) -> httpx.Response:
    form = {"grant_type": "refresh_token", "refresh_token": token}
    return sb.http.post(sb.token_url, data=form, auth=(sb.client_id, sb.client_secret or ""))


def test_consent_page_connects_only_ticked_organisations(sandbox: RunningSandbox) -> None:
    sandbox.admin("POST", "/consent", {"auto": False})
    params = {
        "response_type": "code",
        "client_id": sandbox.client_id,
        "redirect_uri": sandbox.redirect_uri,
        "scope": DEFAULT_SCOPES,
        "state": "xyz",
    }
    page = sandbox.http.get(f"{sandbox.authorize_endpoint}?{urlencode(params)}")
    assert page.status_code == 200
    assert "checkbox" in page.text
    request_id = re.search(r'name="request_id" value="([^"]+)"', page.text)
    assert request_id is not None
    form = {"request_id": request_id.group(1), "tenant": sandbox.tenant_ids[1], "decision": "allow"}
    redirect = sandbox.http.post(
        f"{sandbox.base_url}/identity/connect/authorize/consent", data=form
    )
    assert redirect.status_code == 302
    query = parse_qs(urlparse(redirect.headers["location"]).query)
    assert query["state"] == ["xyz"]
    token = sandbox.http.post(
        sandbox.token_url,
        data={
            "grant_type": "authorization_code",
            "code": query["code"][0],
            "redirect_uri": sandbox.redirect_uri,
        },
        auth=(sandbox.client_id, sandbox.client_secret or ""),
    ).json()
    conns = sandbox.http.get(
        f"{sandbox.base_url}/connections", headers=sandbox.api_headers(token)
    ).json()
    assert [c["tenantId"] for c in conns] == [sandbox.tenant_ids[1]]
    assert conns[0]["tenantType"] == "ORGANISATION"
    assert conns[0]["tenantName"]
    assert set(conns[0]) == {
        "id",
        "tenantId",
        "tenantType",
        "tenantName",
        "authEventId",
        "createdDateUtc",
        "updatedDateUtc",
    }


def test_unknown_redirect_uri_is_refused_without_redirect(sandbox: RunningSandbox) -> None:
    params = {
        "response_type": "code",
        "client_id": sandbox.client_id,
        "redirect_uri": "https://evil.example/cb",
        "scope": "offline_access",
    }
    response = sandbox.http.get(f"{sandbox.authorize_endpoint}?{urlencode(params)}")
    assert response.status_code == 400


def test_pkce_exchange_without_secret_and_bad_verifier(sandbox: RunningSandbox) -> None:
    verifier, challenge = pkce_pair()
    code = sandbox.authorize(code_challenge=challenge)
    base = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": sandbox.redirect_uri,
        "client_id": sandbox.client_id,
    }
    wrong = sandbox.http.post(sandbox.token_url, data={**base, "code_verifier": "x" * 50})
    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid_grant"
    code = sandbox.authorize(code_challenge=challenge)
    ok = sandbox.http.post(
        sandbox.token_url, data={**base, "code": code, "code_verifier": verifier}
    )
    assert ok.status_code == 200
    assert ok.json()["refresh_token"]
    reused = sandbox.http.post(
        sandbox.token_url, data={**base, "code": code, "code_verifier": verifier}
    )
    assert reused.json()["error"] == "invalid_grant"


def test_wrong_client_secret_is_invalid_client(sandbox: RunningSandbox) -> None:
    code = sandbox.authorize()
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": sandbox.redirect_uri}
    response = sandbox.http.post(sandbox.token_url, data=form, auth=(sandbox.client_id, "nope"))
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_client"


def test_secret_in_form_body_works(sandbox: RunningSandbox) -> None:
    code = sandbox.authorize()
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": sandbox.redirect_uri,
        "client_id": sandbox.client_id,
        "client_secret": sandbox.client_secret,
    }
    assert sandbox.http.post(sandbox.token_url, data=form).status_code == 200


def test_rotation_grace_then_invalid_grant(sandbox: RunningSandbox) -> None:
    first = sandbox.connect()
    second = _refresh(sandbox, first["refresh_token"]).json()
    assert second["refresh_token"] != first["refresh_token"]
    replay = _refresh(sandbox, first["refresh_token"]).json()
    assert replay == second
    sandbox.advance(29 * 60)
    assert _refresh(sandbox, first["refresh_token"]).json() == second
    sandbox.advance(2 * 60)
    late = _refresh(sandbox, first["refresh_token"])
    assert late.status_code == 400
    assert late.json() == {"error": "invalid_grant"}
    third = _refresh(sandbox, second["refresh_token"])
    assert third.status_code == 200


def test_access_token_expires_after_30_minutes(sandbox: RunningSandbox) -> None:
    token = sandbox.connect()
    headers = sandbox.api_headers(token, sandbox.tenant_ids[0])
    assert sandbox.http.get(f"{sandbox.api_url}/Organisation", headers=headers).status_code == 200
    sandbox.advance(1801)
    response = sandbox.http.get(f"{sandbox.api_url}/Organisation", headers=headers)
    assert response.status_code == 401
    body = response.json()
    assert body["Title"] == "Unauthorized"
    assert body["Detail"].startswith("TokenExpired")


def test_refresh_token_expires_after_60_days_unused(sandbox: RunningSandbox) -> None:
    token = sandbox.connect()
    sandbox.advance(59 * 86400)
    fresh = _refresh(sandbox, token["refresh_token"]).json()
    sandbox.advance(60 * 86400 + 1)
    assert _refresh(sandbox, fresh["refresh_token"]).json()["error"] == "invalid_grant"


def test_revocation_removes_all_connections(sandbox: RunningSandbox) -> None:
    one, two = sandbox.connect(), sandbox.connect()
    revoke = sandbox.http.post(
        f"{sandbox.base_url}/connect/revocation",
        data={"token": one["refresh_token"]},
        auth=(sandbox.client_id, sandbox.client_secret or ""),
    )
    assert revoke.status_code == 200
    assert (
        sandbox.http.get(
            f"{sandbox.base_url}/connections", headers=sandbox.api_headers(two)
        ).status_code
        == 401
    )
    assert _refresh(sandbox, two["refresh_token"]).json()["error"] == "invalid_grant"
    fresh = sandbox.connect()
    conns = sandbox.http.get(
        f"{sandbox.base_url}/connections", headers=sandbox.api_headers(fresh)
    ).json()
    assert len(conns) == 2


def test_tenant_header_is_required_and_scoped_to_connections(sandbox: RunningSandbox) -> None:
    token = sandbox.connect()
    url = f"{sandbox.api_url}/Items"
    missing = sandbox.http.get(url, headers=sandbox.api_headers(token))
    assert missing.status_code == 403
    assert missing.json()["Title"] == "Forbidden"
    bogus = sandbox.http.get(
        url, headers=sandbox.api_headers(token, "00000000-0000-0000-0000-000000000001")
    )
    assert bogus.status_code == 403
    conns = sandbox.http.get(
        f"{sandbox.base_url}/connections", headers=sandbox.api_headers(token)
    ).json()
    target = next(c for c in conns if c["tenantId"] == sandbox.tenant_ids[0])
    assert (
        sandbox.http.get(url, headers=sandbox.api_headers(token, target["tenantId"])).status_code
        == 200
    )
    gone = sandbox.http.delete(
        f"{sandbox.base_url}/connections/{target['id']}", headers=sandbox.api_headers(token)
    )
    assert gone.status_code == 204
    assert (
        sandbox.http.get(url, headers=sandbox.api_headers(token, target["tenantId"])).status_code
        == 403
    )
    no_auth = sandbox.http.get(url, headers={"xero-tenant-id": target["tenantId"]})
    assert no_auth.status_code == 401
    assert no_auth.json()["Title"] == "Unauthorized"


def test_scopes_limit_what_a_token_can_do(sandbox: RunningSandbox) -> None:
    token = sandbox.connect(scope="offline_access accounting.contacts.read")
    headers = sandbox.api_headers(token, sandbox.tenant_ids[0])
    assert sandbox.http.get(f"{sandbox.api_url}/Contacts", headers=headers).status_code == 200
    assert sandbox.http.get(f"{sandbox.api_url}/Invoices", headers=headers).status_code == 403


def test_connections_filter_by_auth_event_id(sandbox: RunningSandbox) -> None:
    token = sandbox.connect()
    conns = sandbox.http.get(
        f"{sandbox.base_url}/connections", headers=sandbox.api_headers(token)
    ).json()
    event = conns[0]["authEventId"]
    filtered = sandbox.http.get(
        f"{sandbox.base_url}/connections",
        params={"authEventId": event},
        headers=sandbox.api_headers(token),
    ).json()
    assert filtered
    assert all(c["authEventId"] == event for c in filtered)
    none = sandbox.http.get(
        f"{sandbox.base_url}/connections",
        params={"authEventId": "00000000-0000-0000-0000-000000000000"},
        headers=sandbox.api_headers(token),
    ).json()
    assert none == []
