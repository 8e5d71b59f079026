"""The daily re-forecast's due rule on the tenant-local business day."""

from datetime import UTC, date, datetime

from forecaster.domain.schedule import due_day

JUNE_1 = date(2026, 6, 1)
JUNE_2 = date(2026, 6, 2)


def test_due_from_the_local_hour_of_a_new_local_day() -> None:
    at = datetime(2026, 6, 2, 1, 59, tzinfo=UTC)
    assert due_day(at, "UTC", 2, JUNE_1, None) is None  # 01:59 local, hour 2
    at = datetime(2026, 6, 2, 2, 0, tzinfo=UTC)
    assert due_day(at, "UTC", 2, JUNE_1, None) == JUNE_2
    assert due_day(at, "UTC", 2, JUNE_1, JUNE_1) == JUNE_2


def test_not_due_when_forecasts_are_current_claimed_or_never_made() -> None:
    at = datetime(2026, 6, 2, 9, 0, tzinfo=UTC)
    assert due_day(at, "UTC", 2, JUNE_2, None) is None  # a run already started today
    assert due_day(at, "UTC", 2, JUNE_1, JUNE_2) is None  # another replica claimed today
    assert due_day(at, "UTC", 2, None, None) is None  # first forecast comes from a sync


def test_local_day_of_the_tenant_time_zone() -> None:
    at = datetime(2026, 6, 1, 15, 0, tzinfo=UTC)  # 03:00 on June 2 in Auckland (UTC+12)
    assert due_day(at, "Pacific/Auckland", 2, JUNE_1, None) == JUNE_2
    assert due_day(at, "America/Los_Angeles", 2, JUNE_1, None) is None  # 08:00 on June 1
    at = datetime(2026, 6, 2, 8, 30, tzinfo=UTC)  # 01:30 on June 2 in Los Angeles
    assert due_day(at, "America/Los_Angeles", 2, JUNE_1, None) is None
    at = datetime(2026, 6, 2, 9, 0, tzinfo=UTC)
    assert due_day(at, "America/Los_Angeles", 2, JUNE_1, None) == JUNE_2
