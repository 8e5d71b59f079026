"""``po.submission-requests.v1`` -> record the request (a worker creates the PO)."""

from __future__ import annotations

from connector_xero.handlers.purchase_orders import record_request
from platform_kit.messaging.consumer import Subscription
from restock_contracts.topics import PO_SUBMISSION_REQUESTS


def subscriptions() -> list[Subscription]:
    """The connector's subscriptions (tenancy is added by the kit)."""
    return [Subscription(PO_SUBMISSION_REQUESTS, {"po.submission_requested": record_request})]
