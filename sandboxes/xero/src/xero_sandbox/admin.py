"""Admin API ``/_sandbox/*``: clock, consent, limits, faults, stats, webhooks, created POs."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, HTTPException, Request

from xero_sandbox.faults import Faults, Stats
from xero_sandbox.runtime import Sandbox, sandbox_of
from xero_sandbox.seed import describe

router = APIRouter(prefix="/_sandbox", tags=["sandbox admin"])


def _state(sandbox: Sandbox) -> dict[str, Any]:
    return {
        "now": sandbox.clock.now().isoformat(),
        "autoConsent": sandbox.identity.auto_consent,
        "limitsEnabled": sandbox.limiter.limits.enabled,
        "tenants": [
            {"tenantId": org.tenant_id, "tenantName": org.name, "counts": describe(org)}
            for org in sandbox.orgs.values()
        ],
        "clients": [app.client_id for app in sandbox.config.clients],
    }


@router.get("/state")
async def state(request: Request) -> dict[str, Any]:
    """Clock, switches, tenants and record counts."""
    return _state(sandbox_of(request))


@router.get("/clock")
async def get_clock(request: Request) -> dict[str, str]:
    """Current sandbox time."""
    return {"now": sandbox_of(request).clock.now().isoformat()}


@router.post("/clock/advance")
async def advance_clock(request: Request, seconds: float = Body(..., embed=True)) -> dict[str, str]:
    """Advance the sandbox clock (tokens, limits, idempotency and data timestamps follow it)."""
    try:
        now = sandbox_of(request).clock.advance(seconds)
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from exc
    return {"now": now.isoformat()}


@router.post("/consent")
async def set_consent(
    request: Request,
    auto: bool = Body(..., embed=True),
    tenant_ids: list[str] | None = Body(None, embed=True),
) -> dict[str, Any]:
    """Auto-consent on/off; optionally which tenants auto-consent connects (default: all)."""
    identity = sandbox_of(request).identity
    if tenant_ids is not None and any(t not in identity.tenants for t in tenant_ids):
        raise HTTPException(404, "unknown tenant id")
    identity.auto_consent = auto
    identity.auto_consent_tenants = tuple(tenant_ids) if tenant_ids else None
    return {
        "autoConsent": auto,
        "tenantIds": list(identity.auto_consent_tenants or identity.tenants),
    }


@router.post("/limits")
async def set_limits(request: Request, enabled: bool = Body(..., embed=True)) -> dict[str, bool]:
    """Turn rate-limit enforcement on or off."""
    sandbox_of(request).limiter.set_enabled(enabled)
    return {"enabled": enabled}


@router.get("/faults")
async def get_faults(request: Request) -> dict[str, Any]:
    """Armed fault counters."""
    return dict(vars(sandbox_of(request).faults))


@router.post("/faults")
async def set_faults(request: Request, changes: dict[str, Any] = Body(...)) -> dict[str, Any]:
    """Arm faults, e.g. ``{"burst_429": 3}``, ``{"errors_500": 2}``, ``{"drop_connections": 1}``,
    ``{"slow_calls": -1, "slow_seconds": 0.5}``, ``{"timeout_after_po_create": 1}``."""
    faults = sandbox_of(request).faults
    try:
        faults.update(changes)
    except (KeyError, TypeError, ValueError) as exc:
        raise HTTPException(400, f"bad fault setting: {exc}") from exc
    return dict(vars(faults))


@router.delete("/faults")
async def clear_faults(request: Request) -> dict[str, Any]:
    """Disarm every fault."""
    sandbox = sandbox_of(request)
    sandbox.faults = Faults()
    return dict(vars(sandbox.faults))


@router.get("/stats")
async def get_stats(request: Request) -> dict[str, Any]:
    """Calls per tenant, 429s served (per tenant and per problem), 500s, drops."""
    return sandbox_of(request).stats.as_json()


@router.delete("/stats")
async def reset_stats(request: Request) -> dict[str, Any]:
    """Zero the counters."""
    sandbox = sandbox_of(request)
    sandbox.stats = Stats()
    return sandbox.stats.as_json()


@router.get("/purchase-orders")
async def created_purchase_orders(request: Request) -> dict[str, Any]:
    """Purchase orders created through the API (in creation order)."""
    return {"PurchaseOrders": sandbox_of(request).created_pos}


def _client(sandbox: Sandbox, client_id: str | None) -> str:
    chosen = client_id or sandbox.config.clients[0].client_id
    if chosen not in sandbox.webhooks.subscriptions:
        raise HTTPException(404, "unknown client id")
    return chosen


@router.post("/webhooks")
async def configure_webhook(
    request: Request,
    url: str = Body(..., embed=True),
    key: str = Body(..., embed=True),
    client_id: str | None = Body(None, embed=True),
) -> dict[str, Any]:
    """Set an app's webhook URL and signing key; runs intent-to-receive like Xero."""
    sandbox = sandbox_of(request)
    return await sandbox.webhooks.configure(_client(sandbox, client_id), url, key)


@router.post("/webhooks/intent-to-receive")
async def intent_to_receive(
    request: Request, client_id: str | None = Body(None, embed=True)
) -> dict[str, Any]:
    """Re-run intent-to-receive (re-enables a disabled webhook when it passes)."""
    sandbox = sandbox_of(request)
    return await sandbox.webhooks.intent_to_receive(_client(sandbox, client_id))


@router.get("/webhooks")
async def webhook_state(request: Request) -> dict[str, Any]:
    """Subscriptions and the delivery log."""
    hooks = sandbox_of(request).webhooks
    subs = [
        {"clientId": s.client_id, "url": s.url, "status": s.status, "sequence": s.sequence}
        for s in hooks.subscriptions.values()
    ]
    return {"subscriptions": subs, "deliveries": hooks.deliveries}
