"""Xero date formats: MS JSON dates, the ``*String`` extras and request-date parsing."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from email.utils import parsedate_to_datetime

_MS_RE = re.compile(r"^/Date\((-?\d+)([+-]\d{2,4})?\)/$")


def as_utc(value: date | datetime) -> datetime:
    """A date (midnight UTC) or datetime as an aware UTC datetime."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return datetime.combine(value, time(0), tzinfo=UTC)


def _millis(value: date | datetime) -> int:
    return round(as_utc(value).timestamp() * 1000)


def ms_date(value: date | datetime) -> str:
    """Entity date form: ``/Date(1552348800000+0000)/``."""
    return f"/Date({_millis(value)}+0000)/"


def ms_date_plain(value: datetime) -> str:
    """Envelope form without offset: ``/Date(1552523977238)/``."""
    return f"/Date({_millis(value)})/"


def iso_local(value: date | datetime) -> str:
    """``DateString`` form: ISO without time zone, e.g. ``2019-03-12T00:00:00``."""
    return as_utc(value).strftime("%Y-%m-%dT%H:%M:%S")


def iso_utc(value: datetime) -> str:
    """``UpdatedDateUTCString`` form, e.g. ``2019-03-05T18:59:06Z``."""
    return as_utc(value).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_identity(value: datetime) -> str:
    """Identity API form (connections), e.g. ``2019-12-07T18:46:19.5165400``."""
    return as_utc(value).strftime("%Y-%m-%dT%H:%M:%S.%f") + "0"


def parse_request_date(value: object) -> date | None:
    """Parse a date sent in a PUT/POST body (``YYYY-MM-DD``, ISO date-time or MS date).

    Returns None for empty values and raises ValueError for anything unreadable.
    """
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError(f"invalid date {value!r}")
    match = _MS_RE.match(value)
    if match:
        return datetime.fromtimestamp(int(match.group(1)) / 1000, UTC).date()
    text = value.strip()
    if len(text) == 10:
        return date.fromisoformat(text)
    return datetime.fromisoformat(text.replace("Z", "+00:00")).date()


def parse_if_modified_since(value: str) -> datetime:
    """Parse an ``If-Modified-Since`` header: ISO 8601 (UTC when naive) or an HTTP date."""
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        parsed = parsedate_to_datetime(text)
    return as_utc(parsed)
