"""Xero's identity endpoints: authorize URL, code exchange, refresh, revocation, connections.

The OAuth 2.0 messages are built with Authlib's RFC 6749 / RFC 7636 primitives
(``prepare_grant_uri``, ``prepare_token_request``, ``create_s256_code_challenge``) and
sent with the service's httpx client (Authlib's httpx integration warns about a
deprecated transport).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from authlib.common.security import generate_token
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri, prepare_token_request
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from connector_xero.domain.errors import NeedsReauthorisation, ProviderRejected
from connector_xero.settings import Settings


def new_pkce_verifier() -> str:
    """A 64-character verifier from ``[A-Za-z0-9]`` (RFC 7636 allows 43-128)."""
    return str(generate_token(64))


def new_state() -> str:
    """An unguessable OAuth ``state``."""
    return str(generate_token(48))


@dataclass
class XeroIdentity:
    """Client of the identity server and ``/connections``."""

    settings: Settings
    http: httpx.AsyncClient

    def authorize_url(self, state: str, verifier: str) -> str:
        """The consent URL (authorization code + PKCE S256)."""
        return str(
            prepare_grant_uri(
                self.settings.authorize_url,
                self.settings.client_id,
                "code",
                redirect_uri=self.settings.redirect_uri,
                scope=self.settings.scopes,
                state=state,
                code_challenge=create_s256_code_challenge(verifier),
                code_challenge_method="S256",
            )
        )

    async def _token_call(self, body: str) -> dict[str, Any]:
        auth = None
        if self.settings.client_secret:
            auth = httpx.BasicAuth(self.settings.client_id, self.settings.client_secret)
        response = await self.http.post(
            self.settings.token_url,
            content=body,
            auth=auth,  # type: ignore[arg-type]
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        data: dict[str, Any] = response.json() if response.content else {}
        if response.status_code == 400 and data.get("error") == "invalid_grant":
            raise NeedsReauthorisation(data.get("error_description") or "invalid_grant")
        if response.status_code >= 400:
            raise ProviderRejected(response.status_code, data)
        return data

    async def exchange_code(self, code: str, verifier: str) -> dict[str, Any]:
        """``authorization_code`` grant with the PKCE verifier."""
        body = prepare_token_request(
            "authorization_code",
            code=code,
            redirect_uri=self.settings.redirect_uri,
            code_verifier=verifier,
            client_id=self.settings.client_id,
        )
        return await self._token_call(body)

    async def refresh(self, refresh_token: str) -> dict[str, Any]:
        """``refresh_token`` grant; Xero rotates the refresh token every time."""
        body = prepare_token_request(
            "refresh_token", refresh_token=refresh_token, client_id=self.settings.client_id
        )
        return await self._token_call(body)

    async def revoke(self, refresh_token: str) -> None:
        """Revoke the grant (Xero removes all of the user's connections for the app)."""
        auth = None
        data = {"token": refresh_token}
        if self.settings.client_secret:
            auth = httpx.BasicAuth(self.settings.client_id, self.settings.client_secret)
        else:
            data["client_id"] = self.settings.client_id
        await self.http.post(self.settings.revocation_url, data=data, auth=auth)  # type: ignore[arg-type]

    async def connections(self, access_token: str, auth_event_id: str | None) -> list[Any]:
        """``GET /connections`` (filtered by authEventId when given)."""
        params = {"authEventId": auth_event_id} if auth_event_id else {}
        response = await self.http.get(
            self.settings.connections_url,
            params=params,
            headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"},
        )
        if response.status_code >= 400:
            raise ProviderRejected(response.status_code, response.text)
        data = response.json()
        return data if isinstance(data, list) else []

    async def delete_connection(self, access_token: str, xero_connection_id: str) -> bool:
        """``DELETE /connections/{id}``; False when Xero no longer knows it."""
        response = await self.http.delete(
            f"{self.settings.connections_url}/{xero_connection_id}",
            headers={"Authorization": f"Bearer {access_token}"},
        )
        return response.status_code == 204
