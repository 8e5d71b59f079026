"""Domain errors (no HTTP knowledge).

XeroError
 ├── NeedsReauthorisation   the grant was revoked or expired: a user must connect again
 ├── DayLimitReached        the organisation's daily call budget is spent (``until``)
 ├── ProviderUnavailable    timeouts, dropped connections, 5xx after retries (retryable)
 ├── RateLimited            429s kept coming after retries (retryable)
 ├── ProviderRejected       4xx with a body (validation, forbidden, not found)
 └── StateInvalid           OAuth ``state`` unknown, used or expired
"""

from __future__ import annotations

from datetime import datetime
from typing import Any


class XeroError(Exception):
    """Base of the connector's errors."""


class NeedsReauthorisation(XeroError):
    """Refreshing failed with ``invalid_grant`` (revoked, expired or rotated elsewhere)."""


class DayLimitReached(XeroError):
    """No more calls today for this organisation."""

    def __init__(self, until: datetime) -> None:
        super().__init__(f"daily call limit reached until {until.isoformat()}")
        self.until = until


class ProviderUnavailable(XeroError):
    """Xero did not answer usefully (timeout, dropped connection, 5xx)."""


class RateLimited(XeroError):
    """Xero kept answering 429."""


class ProviderRejected(XeroError):
    """Xero answered 4xx; ``status`` and ``body`` say why."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"Xero answered {status}")
        self.status = status
        self.body = body


class StateInvalid(XeroError):
    """The OAuth callback's ``state`` is unknown, already used or expired."""
