"""Public webhook route (allowlisted): the opaque id names the connection, the signature
proves the sender; bad signatures get 401."""

from __future__ import annotations

from fastapi import APIRouter, Request

from connector_katana.api.routes import get_deps
from connector_katana.api.schemas import WebhookAck
from connector_katana.handlers import webhooks

router = APIRouter(tags=["webhooks"])


@router.post(
    "/webhooks/katana/{opaque_id}", operation_id="receiveKatanaWebhook", response_model=WebhookAck
)
async def receive(opaque_id: str, request: Request) -> dict[str, str]:
    """Verify ``x-sha2-signature`` over the raw body, dedupe and queue the event."""
    body = await request.body()
    return await webhooks.receive(
        get_deps(request), opaque_id, body, request.headers.get("x-sha2-signature")
    )
