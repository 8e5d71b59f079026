"""What the identity use cases share at run time, built once in the app's startup."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from api_gateway.adapters.external_jwks import ExternalJwks
from api_gateway.domain.mail import Mailer
from api_gateway.domain.passwords import KdfParams
from api_gateway.handlers.signing import SigningKeys
from api_gateway.settings import Settings

EXTRA = "identity"


@dataclass
class IdentityContext:
    """Settings, mailer, signing keys and the optional external issuer's keys."""

    settings: Settings
    mailer: Mailer
    keys: SigningKeys
    kdf: KdfParams
    external: ExternalJwks | None = None
    oauth: Any = field(default=None)


def identity_of(runtime: Any) -> IdentityContext:
    """The identity context stored on a running service's runtime."""
    context = runtime.extras.get(EXTRA)
    if not isinstance(context, IdentityContext):
        raise RuntimeError("identity context not initialised")
    return context
