"""Startup: signing keys exist, the web app's client is registered, the context is built."""

from __future__ import annotations

from typing import Any

from api_gateway.adapters import oauth_store
from api_gateway.adapters.external_jwks import ExternalJwks
from api_gateway.adapters.mailer import build_mailer
from api_gateway.domain.passwords import KdfParams
from api_gateway.handlers.context import EXTRA, IdentityContext
from api_gateway.handlers.oauth_server import build_server
from api_gateway.handlers.oidc import IdTokens
from api_gateway.handlers.signing import SigningKeys, ensure_keys
from api_gateway.settings import Settings


async def start_identity(runtime: Any) -> None:
    """Build the identity context on ``runtime.extras`` (an ``on_startup`` hook)."""
    settings: Settings = runtime.settings
    assert runtime.keyring is not None
    async with runtime.uow() as uow:
        await ensure_keys(uow, runtime.keyring)
    async with runtime.uow() as uow:
        await oauth_store.upsert_client(
            uow.session,
            client_id=settings.web_client_id,
            tenant_id=None,
            name="Restock web app",
            secret_hash=None,
            redirect_uris=list(settings.web_redirect_uris),
            grant_types=["authorization_code", "refresh_token"],
            scope="openid profile email api offline_access",
            auth_method="none",
            roles=[],
        )
        await uow.commit()
    external = None
    if settings.external_issuer and settings.external_jwks_url:
        external = ExternalJwks(settings.external_jwks_url)
    runtime.extras[EXTRA] = IdentityContext(
        settings=settings,
        mailer=build_mailer(settings.mailer, settings.mail_file),
        keys=SigningKeys(runtime.uow, runtime.keyring, settings.signing_key_cache_s),
        kdf=KdfParams(log_n=settings.password_log_n),
        external=external,
        oauth=build_server([IdTokens()]),
    )
