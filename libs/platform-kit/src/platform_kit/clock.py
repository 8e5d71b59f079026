"""The one injectable clock (architecture §4 "Time").

``RESTOCK_NOW`` sets an offset: the clock starts at that instant and keeps running, so
plans are reproducible while expiries, locks and backoff still work. Security expiries
use :func:`real_now` and are never shifted.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo


def real_now() -> datetime:
    """Wall-clock UTC time, for token expiry and other security decisions."""
    return datetime.now(UTC)


def parse_instant(value: str) -> datetime:
    """Parse an ISO date or instant; naive values are taken as UTC."""
    text = value.strip().replace("Z", "+00:00")
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class Clock:
    """Business clock: real time shifted by a fixed offset."""

    def __init__(self, start: datetime | None = None) -> None:
        self._offset = (start - real_now()) if start else timedelta(0)

    @classmethod
    def from_setting(cls, value: str | None) -> Clock:
        return cls(parse_instant(value) if value else None)

    @property
    def offset(self) -> timedelta:
        return self._offset

    def now(self) -> datetime:
        return real_now() + self._offset

    def today(self, time_zone: str = "UTC") -> date:
        """Today's local date in the tenant's time zone."""
        return self.now().astimezone(ZoneInfo(time_zone)).date()

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward (tests and sandboxes only)."""
        self._offset += delta
