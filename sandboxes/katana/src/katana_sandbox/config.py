"""Sandbox configuration and the injectable sandbox clock."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from restock_demodata import DatasetSpec


@dataclass(frozen=True, slots=True)
class SandboxConfig:
    """How the sandbox behaves.

    ``accounts`` maps API key -> dataset spec (each key is a separate Katana account).
    ``rate_limit`` requests per ``rate_window_s`` seconds per key (0 disables limiting).
    ``webhook_retry_delays_s`` are the waits before retry 1..n (Katana: 30 s, 2 min, 15 min).
    ``admin_token``, when set, must be sent as ``X-Sandbox-Admin-Token`` to ``/_sandbox``.
    ``wrap_errors`` wraps every error body as ``{"error": {...}}`` (Katana does this on
    some endpoints; 412 is always wrapped). ``public_base_url`` builds webhook ``href``s.
    """

    accounts: dict[str, DatasetSpec] = field(
        default_factory=lambda: {"sandbox-key": DatasetSpec(skus=200)}
    )
    rate_limit: int = 60
    rate_window_s: float = 60.0
    webhook_retry_delays_s: tuple[float, ...] = (30.0, 120.0, 900.0)
    webhook_timeout_s: float = 10.0
    admin_token: str | None = None
    wrap_errors: bool = False
    public_base_url: str = "http://127.0.0.1:8701/v1"
    fault_seed: int = 0


class SandboxClock:
    """A running clock that starts at ``start`` and can be advanced (never rewound)."""

    def __init__(self, start: datetime) -> None:
        self._start = start
        self._t0 = time.monotonic()
        self._offset = timedelta()

    def now(self) -> datetime:
        """Current sandbox time (timezone-aware UTC)."""
        return self._start + self._offset + timedelta(seconds=time.monotonic() - self._t0)

    def advance(self, seconds: float) -> datetime:
        """Move the clock forward by ``seconds`` (>= 0) and return the new time."""
        if seconds < 0:
            raise ValueError("the sandbox clock cannot go backwards")
        self._offset += timedelta(seconds=seconds)
        return self.now()
