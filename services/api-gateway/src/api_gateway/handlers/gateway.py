"""Use cases of the public API front door: admit a caller (verify the credential, then
charge the per-client and per-tenant rate limits), mint the internal token forwarded to
a service, and record an audit row for each write."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from api_gateway.adapters import rate_limits
from api_gateway.adapters.admission_db import AdmissionDb
from api_gateway.adapters.upstream import Upstreams
from api_gateway.domain.errors import Throttled, Unauthenticated
from api_gateway.domain.model import Identity
from api_gateway.domain.routes import API_PREFIX
from api_gateway.domain.templates import Template, compile_templates
from api_gateway.handlers.context import identity_of
from api_gateway.handlers.tokens import authenticate, own_access_token
from api_gateway.settings import Settings

log = logging.getLogger(__name__)
BUCKET_IDLE_S = 3600.0
FRONT = "front"


def buckets_for(identity: Identity, settings: Settings) -> list[rate_limits.Bucket]:
    """The caller's own bucket (credential holder: client and subject) and its tenant's."""
    client = identity.client_id or identity.via
    return [
        rate_limits.Bucket(
            f"client:{client}:{identity.subject}",
            identity.tenant_id,
            settings.rate_client_per_s,
            settings.rate_client_burst,
        ),
        rate_limits.Bucket(
            f"tenant:{identity.tenant_id}",
            identity.tenant_id,
            settings.rate_tenant_per_s,
            settings.rate_tenant_burst,
        ),
    ]


async def admit(runtime: Any, token: str) -> Identity:
    """The verified caller behind ``token``; Unauthenticated or Throttled otherwise.

    An access token of this gateway (the common case) costs one statement on the
    autocommit pool: revocation check and both buckets together. API keys and external
    tokens take the general path (one transaction on the kit's pool)."""
    context = identity_of(runtime)
    own = await own_access_token(context, token)
    front = runtime.extras.get(FRONT)
    if own is not None and isinstance(front, Front):
        identity, jti = own
        checked = await front.admission.admit(jti, buckets_for(identity, runtime.settings))
        if checked is None:
            raise Unauthenticated("token revoked")
        verdict = checked
    else:
        async with runtime.uow() as uow:  # one connection and transaction for both
            identity = await authenticate(uow, context, token)
            verdict = await rate_limits.take(uow.session, buckets_for(identity, runtime.settings))
            await uow.commit()
    if not verdict.allowed:
        raise Throttled("rate limit exceeded", verdict.retry_after_s)
    return identity


def internal_token(runtime: Any, identity: Identity) -> str:
    """A short-lived internal token (``internal_token_ttl_s``) for the identity."""
    return str(
        runtime.keys.mint_for(
            identity.tenant_id,
            identity.subject,
            sorted(identity.roles),
            runtime.settings.internal_token_ttl_s,
        )
    )


async def record_write(runtime: Any, identity: Identity | None, entry: dict[str, Any]) -> None:
    """Audit one write (never bodies or credentials); failures are logged, not raised."""
    row = {
        **entry,
        "tenant_id": identity.tenant_id if identity else None,
        "actor": identity.subject if identity else "anonymous",
    }
    if identity is not None:
        row["via"] = identity.via
        row["client_id"] = identity.client_id
    try:
        async with runtime.uow() as uow:
            await rate_limits.record_write(uow.session, row)
            await uow.commit()
    except Exception as exc:
        log.warning("audit write failed: %s", exc)


async def bucket_pruner(runtime: Any, stop: asyncio.Event) -> None:
    """Forget idle rate buckets every ``BUCKET_IDLE_S`` until the service stops."""
    while not stop.is_set():
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), BUCKET_IDLE_S)
        if stop.is_set():
            return
        try:
            async with runtime.uow() as uow:
                await rate_limits.prune_idle(uow.session, BUCKET_IDLE_S)
                await uow.commit()
        except Exception as exc:
            log.warning("rate bucket pruning failed: %s", exc)


SNAPSHOT = Path(__file__).resolve().parents[1] / "public_openapi.json"
"""The committed merged OpenAPI document (``scripts/public_openapi.py`` writes it)."""


@dataclass
class Front:
    """What the public API needs at run time: upstream pool, hot-path database pool,
    document and its templates."""

    upstreams: Upstreams
    admission: AdmissionDb
    document: bytes
    templates: list[Template]


def front_of(runtime: Any) -> Front:
    front = runtime.extras.get(FRONT)
    if not isinstance(front, Front):
        raise RuntimeError("public API not initialised")
    return front


def load_document(path: Path = SNAPSHOT) -> tuple[bytes, list[Template]]:
    """The snapshot's bytes and the matchers of its ``/api/v1`` operations."""
    raw = path.read_bytes()
    paths = json.loads(raw)["paths"]
    api = [(p, list(ops)) for p, ops in paths.items() if p.startswith(API_PREFIX + "/")]
    return raw, compile_templates(api)


async def start_front(runtime: Any) -> None:
    """Build the upstream and admission pools, load the document (an ``on_startup`` hook)."""
    document, templates = load_document()
    runtime.extras[FRONT] = Front(
        Upstreams(runtime.settings), AdmissionDb(runtime.db.url), document, templates
    )


async def close_front(runtime: Any, stop: asyncio.Event) -> None:
    """Close both pools when the service stops (a background task)."""
    await stop.wait()
    front = runtime.extras.get(FRONT)
    if isinstance(front, Front):
        await front.upstreams.close()
        await front.admission.close()
