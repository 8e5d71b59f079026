"""When scheduled loads run: incremental every hour, refresh nightly in the tenant's zone."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo


def next_refresh(now: datetime, time_zone: str | None, hour: int) -> datetime:
    """The next ``hour``:00 local time strictly after ``now`` (DST-safe via zoneinfo)."""
    zone = ZoneInfo(time_zone or "UTC")
    local = now.astimezone(zone)
    candidate = datetime.combine(local.date(), time(hour), zone)
    if candidate <= local:
        candidate = datetime.combine(local.date() + timedelta(days=1), time(hour), zone)
    return candidate.astimezone(now.tzinfo)


def next_incremental(now: datetime, every: timedelta) -> datetime:
    """The next incremental load."""
    return now + every
