"""The sandbox clock: real time plus an offset that an admin endpoint can advance."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta


class SandboxClock:
    """A running clock that can be started at any instant and advanced.

    Every provider timing in the sandbox (token lifetimes, rate-limit windows,
    idempotency window, webhook retries) is measured on this clock.
    """

    def __init__(self, start: datetime | None = None) -> None:
        self._lock = threading.Lock()
        self._offset = timedelta(0)
        if start is not None:
            if start.tzinfo is None:
                start = start.replace(tzinfo=UTC)
            self._offset = start - datetime.now(UTC)

    def now(self) -> datetime:
        """Current sandbox time (timezone-aware UTC)."""
        with self._lock:
            return datetime.now(UTC) + self._offset

    def timestamp(self) -> float:
        """Current sandbox time as POSIX seconds."""
        return self.now().timestamp()

    def advance(self, seconds: float) -> datetime:
        """Move the clock forward by ``seconds`` and return the new time."""
        if seconds < 0:
            raise ValueError("the sandbox clock only moves forward")
        with self._lock:
            self._offset += timedelta(seconds=seconds)
        return self.now()
