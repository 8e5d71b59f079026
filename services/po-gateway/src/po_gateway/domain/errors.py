"""Domain errors (no HTTP here; ``api/errors.py`` maps them to problems).

::

    PoError
    ├── NotFound            the draft or line does not exist for this tenant
    ├── InvalidTransition   the action is not allowed in the draft's current status
    ├── ValidationFailed    field errors: [{"field", "message"}]
    ├── NoConnection        the tenant has no active provider connection to send to
    └── UpstreamFailed      the planner could not be read
"""

from __future__ import annotations

from typing import Any


class PoError(Exception):
    """Base of po-gateway's domain errors."""


class NotFound(PoError):
    """The draft or line does not exist for this tenant."""


class InvalidTransition(PoError):
    """``action`` is not allowed while the draft is ``status``."""

    def __init__(self, status: str, action: str, hint: str | None = None) -> None:
        super().__init__(f"cannot {action} a purchase order that is {status}")
        self.status = status
        self.action = action
        self.hint = hint


class ValidationFailed(PoError):
    """One or more fields are invalid; ``errors`` is ``[{"field", "message"}]``."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__("; ".join(f"{e['field']}: {e['message']}" for e in errors))
        self.errors = errors


class NoConnection(PoError):
    """No active Katana or Xero connection is known for the tenant."""


class UpstreamFailed(PoError):
    """The planner answered with an error or could not be reached."""
