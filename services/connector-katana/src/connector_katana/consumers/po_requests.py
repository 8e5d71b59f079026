"""Consumer of ``po.submission-requests.v1``: thin, calls the PO handler."""

from __future__ import annotations

from connector_katana.handlers.po import on_submission_requested
from platform_kit.messaging.consumer import Subscription
from restock_contracts.topics import PO_SUBMISSION_REQUESTS


def subscription() -> Subscription:
    """PO submission requests for Katana connections this service owns."""
    return Subscription(
        PO_SUBMISSION_REQUESTS, {"po.submission_requested": on_submission_requested}
    )
