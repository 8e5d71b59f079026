"""OpenID Connect on top of the code grant: an ``id_token`` when ``openid`` is asked for,
signed with the current access-token key (same JWKS, ``kid`` in the header)."""

from __future__ import annotations

import time
from typing import Any

from authlib.oidc.core.grants import OpenIDCode
from cryptography.hazmat.primitives import serialization
from joserfc.jwk import RSAKey
from sqlalchemy import exists, select

from api_gateway.adapters.orm import authorization_code
from api_gateway.handlers.oauth_models import Client, User
from api_gateway.handlers.oauth_server import current_call, run_on_loop


class IdTokens(OpenIDCode):
    """ID tokens for the authorization-code flow (nonces are single-use per client)."""

    def resolve_client_private_key(self, client: Client) -> Any:
        key = current_call().key.private_key
        assert key is not None
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        return RSAKey.import_key(pem)

    def get_client_algorithm(self, client: Client) -> str:
        return "RS256"

    def get_encode_header(self, client: Client) -> dict[str, str]:
        return {"alg": "RS256", "kid": current_call().key.kid, "typ": "JWT"}

    def get_client_claims(self, client: Client) -> dict[str, Any]:
        settings = current_call().context.settings
        return {
            "iss": settings.issuer,
            "aud": [client.get_client_id()],
            "exp": int(time.time()) + settings.access_token_ttl_s,
        }

    def exists_nonce(self, nonce: str, request: Any) -> bool:
        async def check() -> bool:
            stmt = select(
                exists().where(
                    authorization_code.c.client_id == request.payload.client_id,
                    authorization_code.c.nonce == nonce,
                )
            )
            return bool((await current_call().uow.session.execute(stmt)).scalar())

        return run_on_loop(check())

    def generate_user_info(self, user: User, scope: str) -> dict[str, Any]:
        info: dict[str, Any] = {
            "sub": str(user.user_id),
            "tenant_id": str(user.tenant_id),
            "roles": [user.role],
        }
        if "email" in scope.split():
            info["email"] = user.email
            info["email_verified"] = True
        return info
