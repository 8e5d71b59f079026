"""Schedule arithmetic (pure): nightly refresh at a local hour in the tenant's time zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def next_local_hour(now: datetime, time_zone: str | None, hour: int) -> datetime:
    """The next instant after ``now`` when it is ``hour``:00 in ``time_zone`` (UTC fallback)."""
    try:
        zone = ZoneInfo(time_zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    local = now.astimezone(zone)
    candidate = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if candidate <= local:
        candidate = (local + timedelta(days=1)).replace(
            hour=hour, minute=0, second=0, microsecond=0
        )
    return candidate.astimezone(UTC)
