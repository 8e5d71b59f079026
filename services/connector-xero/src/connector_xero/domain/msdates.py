"""Xero's date formats: ``/Date(ms[+hhmm])/`` (entity dates and UpdatedDateUTC) and ISO."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_MS = re.compile(r"/Date\((-?\d+)([+-]\d{2,4})?\)/")


def parse_instant(value: str | None) -> datetime | None:
    """``/Date(1552348800000+0000)/`` or ISO text -> aware UTC datetime (None if empty)."""
    if not value:
        return None
    match = _MS.fullmatch(value.strip())
    if match:
        return datetime.fromtimestamp(int(match.group(1)) / 1000, UTC)
    text = value.strip().replace("Z", "+00:00")
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_date(value: str | None) -> date | None:
    """A date-only field: the UTC calendar date of the instant (as xero-python reads it)."""
    instant = parse_instant(value)
    return instant.date() if instant else None


def local_midnight(day: date, time_zone: str | None) -> datetime:
    """The instant a calendar day starts in the organisation's time zone."""
    return datetime.combine(day, time(0), ZoneInfo(time_zone or "UTC"))


def since_header(watermark: datetime, overlap: timedelta) -> str:
    """``If-Modified-Since`` value: watermark minus overlap, UTC ``yyyy-MM-ddTHH:mm:ss``."""
    return (watermark - overlap).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
