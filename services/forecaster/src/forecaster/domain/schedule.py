"""When a tenant's daily scheduled re-forecast is due (pure; tenant-local business day)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo


def due_day(
    now: datetime,
    time_zone: str,
    hour: int,
    last_run_as_of: date | None,
    scheduled_day: date | None,
) -> date | None:
    """The tenant-local day to claim a scheduled full re-forecast for, or None.

    Due when the tenant's local clock has reached ``hour`` today, its newest forecasts
    start on an earlier day (``last_run_as_of``; a tenant never forecast is left to its
    first sync) and today's scheduled run has not been claimed yet (``scheduled_day``).
    """
    local = now.astimezone(ZoneInfo(time_zone))
    today = local.date()
    if last_run_as_of is None or last_run_as_of >= today or local.hour < hour:
        return None
    if scheduled_day is not None and scheduled_day >= today:
        return None
    return today
