from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import numpy as np

from forecaster.domain.demand import (
    DEFAULT_DEMAND_STATUSES,
    build_panel,
    demand_instant,
    is_newer,
    latest_by_key,
    local_day,
    policy_mask,
    status_code,
)


def test_local_day_buckets_instants_into_the_tenants_day() -> None:
    instant = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
    assert local_day(instant, "UTC") == date(2026, 3, 1)
    assert local_day(instant, "Europe/Tallinn") == date(2026, 3, 2)
    assert local_day(instant, "America/Los_Angeles") == date(2026, 3, 1)
    early = datetime(2026, 3, 1, 5, 0, tzinfo=UTC)
    assert local_day(early, "America/Los_Angeles") == date(2026, 2, 28)
    assert local_day(early, "Pacific/Auckland") == date(2026, 3, 1)


def test_local_day_follows_daylight_saving() -> None:
    winter = datetime(2026, 1, 15, 22, 30, tzinfo=UTC)
    summer = datetime(2026, 7, 15, 22, 30, tzinfo=UTC)
    assert local_day(winter, "Europe/London") == date(2026, 1, 15)
    assert local_day(summer, "Europe/London") == date(2026, 7, 15)
    assert local_day(summer - timedelta(hours=-1, minutes=-30), "Europe/London") == date(
        2026, 7, 16
    )


def test_returns_count_on_the_original_sale_date() -> None:
    order = datetime(2026, 5, 10, 12, tzinfo=UTC)
    original = datetime(2026, 4, 2, 9, tzinfo=UTC)
    assert demand_instant(order, True, original) == original
    assert demand_instant(order, True, None) == order
    assert demand_instant(order, False, original) == order


def _panel(
    rows: list[tuple[int, int, str, float]],
    n: int = 1,
    t: int = 5,
    statuses=DEFAULT_DEMAND_STATUSES,
):
    s = np.array([r[0] for r in rows], np.intp)
    d = np.array([r[1] for r in rows], np.intp)
    st = np.array([status_code(r[2]) for r in rows], np.intp)
    q = np.array([r[3] for r in rows], float)
    policies = np.tile(policy_mask(statuses), (n, 1))
    return build_panel(s, d, st, q, policies, n, t)


def test_quotes_and_cancelled_lines_are_not_demand_but_open_orders_are() -> None:
    p = _panel(
        [
            (0, 1, "quote", 5),
            (0, 1, "open", 2),
            (0, 2, "cancelled", 4),
            (0, 2, "fulfilled", 1),
            (0, 3, "draft", 9),
        ]
    )
    assert p.y.tolist() == [[0, 2, 1, 0, 0]]


def test_returns_subtract_and_negative_days_are_clipped() -> None:
    p = _panel([(0, 1, "fulfilled", 3), (0, 1, "returned", -1), (0, 2, "returned", -4)])
    assert p.y.tolist() == [[0, 2, 0, 0, 0]]
    assert p.first_sale_idx.tolist() == [1]


def test_policy_is_per_series_and_changeable() -> None:
    rows = [(0, 0, "draft", 2), (1, 0, "draft", 2), (1, 4, "open", 1)]
    s = np.array([r[0] for r in rows], np.intp)
    d = np.array([r[1] for r in rows], np.intp)
    st = np.array([status_code(r[2]) for r in rows], np.intp)
    q = np.array([r[3] for r in rows], float)
    policies = np.stack([policy_mask(["draft", "open"]), policy_mask(DEFAULT_DEMAND_STATUSES)])
    p = build_panel(s, d, st, q, policies, 2, 5)
    assert p.y.tolist() == [[2, 0, 0, 0, 0], [0, 0, 0, 0, 1]]
    assert p.first_sale_idx.tolist() == [0, 4]


def test_series_without_sales_has_no_first_sale() -> None:
    p = _panel([(0, 1, "quote", 5)], n=2)
    assert p.first_sale_idx.tolist() == [5, 5]


def test_stale_updated_at_is_ignored_and_replays_are_noops() -> None:
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    assert is_newer(t0 + timedelta(seconds=1), t0)
    assert not is_newer(t0, t0)
    assert not is_newer(t0 - timedelta(days=1), t0)
    assert is_newer(None, t0) and is_newer(t0, None)


def test_latest_by_key_keeps_the_newest_record_per_key() -> None:
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    recs = [
        SimpleNamespace(k="a", updated_at=t0 + timedelta(hours=1), q=1),
        SimpleNamespace(k="a", updated_at=t0, q=2),
        SimpleNamespace(k="b", updated_at=t0, q=3),
        SimpleNamespace(k="b", updated_at=t0, q=4),
    ]
    out = latest_by_key(recs, [r.k for r in recs])
    assert [(r.k, r.q) for r in out] == [("a", 1), ("b", 4)]
