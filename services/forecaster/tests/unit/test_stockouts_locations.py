from collections.abc import Sequence

import numpy as np

from forecaster.domain.assemble import Observations, assemble
from forecaster.domain.locations import LocationInfo, rollup_map
from forecaster.domain.stockouts import stockout_days


def _obs(rows: Sequence[tuple[int, int, float, float]], n: int, t: int) -> np.ndarray:
    arr = np.array(rows, float).reshape(-1, 4)
    return stockout_days(
        arr[:, 0].astype(np.intp), arr[:, 1].astype(np.intp), arr[:, 2], arr[:, 3], n, t
    )


def test_day_ending_at_zero_and_following_days_are_stockouts_until_restock() -> None:
    # series 0: balance 5 on day 1, sold out on day 2 (after a sale at 10:00), restocked day 5
    out = _obs([(0, 1, 9.0, 5), (0, 2, 10.0, 0), (0, 5, 8.0, 20)], 1, 7)
    assert out[0].tolist() == [False, False, True, True, True, False, False]


def test_last_movement_of_the_day_decides() -> None:
    # out of stock in the morning, restocked in the afternoon: not a stock-out day
    out = _obs([(0, 1, 10.0, 0), (0, 1, 15.0, 12), (0, 3, 17.0, -2), (0, 3, 9.0, 4)], 1, 5)
    assert out[0].tolist() == [False, False, False, True, True]


def test_opening_balance_comes_from_movements_before_the_window() -> None:
    out = _obs([(0, -30, 1.0, 0), (1, -3, 1.0, 7)], 2, 3)
    assert out.tolist() == [[True, True, True], [False, False, False]]


def test_nothing_is_censored_before_the_first_observation() -> None:
    out = _obs([(0, 2, 1.0, -1)], 1, 4)
    assert out[0].tolist() == [False, False, True, True]


def test_sales_only_locations_roll_into_their_purchasing_location() -> None:
    locs = {
        "wh": LocationInfo("wh", False, None),
        "shop": LocationInfo("shop", True, "wh"),
        "kiosk": LocationInfo("kiosk", True, "shop"),
        "orphan": LocationInfo("orphan", True, None),
        "loop1": LocationInfo("loop1", True, "loop2"),
        "loop2": LocationInfo("loop2", True, "loop1"),
    }
    m = rollup_map(locs)
    assert m["wh"] == "wh" and m["shop"] == "wh" and m["kiosk"] == "wh"
    assert m["orphan"] == "orphan"
    assert m["loop1"] == "loop1"


def _sales(variant: str, loc: str, days: list[int], qty: list[float], status: str = "open"):
    return Observations(variant, loc, status, np.array(days, np.intp), np.array(qty, float))


def test_assemble_merges_history_and_uses_purchasing_location_stock() -> None:
    locs = {"wh": LocationInfo("wh", False, None), "shop": LocationInfo("shop", True, "wh")}
    sales = [
        _sales("v1", "wh", [0, 1], [2, 3]),
        _sales("v1", "shop", [1, 2], [1, 4]),
        _sales("v1", "shop", [2], [-10], "returned"),
        _sales("v2", "other", [3], [1]),
    ]
    moves = [
        Observations("v1", "wh", "", np.array([2]), np.array([0.0]), np.array([1.0])),
        Observations("v1", "shop", "", np.array([0]), np.array([0.0]), np.array([1.0])),
    ]
    panel = assemble(
        sales,
        moves,
        [],
        locs,
        {"v1": ("SKU-1", "cat", False)},
        {("v1", "wh"): (14, ["open", "fulfilled"])},
        [],
        4,
    )
    assert panel.keys == [("v1", "wh"), ("v2", "other")]
    # returns excluded by v1's policy; shop's demand added to the warehouse
    assert panel.y.tolist() == [[2, 4, 4, 0], [0, 0, 0, 1]]
    assert panel.censored.tolist() == [[False, False, True, True], [False] * 4]
    assert panel.backtest_horizon_days.tolist() == [14, 35]
    assert panel.sku_codes == ["SKU-1", None]
    assert panel.first_sale_idx.tolist() == [0, 3]


def test_snapshots_censor_when_there_are_no_movements() -> None:
    snaps = [
        Observations("v", "x", "", np.array([1, 3]), np.array([0.0, 5.0]), np.array([1.0, 2.0]))
    ]
    panel = assemble([_sales("v", "x", [0], [1])], [], snaps, {}, {}, {}, [], 5)
    assert panel.censored[0].tolist() == [False, True, True, False, False]


def test_stale_series_of_a_location_now_sales_only_are_retracted() -> None:
    locs = {
        "wh": LocationInfo("wh", False, None),
        "shop": LocationInfo("shop", True, "wh"),
        "orphan": LocationInfo("orphan", True, None),
    }
    known = [("v1", "shop"), ("v1", "wh"), ("v2", "orphan"), ("v3", "shop"), ("v1", "shop")]
    panel = assemble(
        [_sales("v1", "shop", [0], [2])], [], [], locs, {"v3": ("S3", None, False)}, {}, known, 3
    )
    # v1's shop demand now belongs to wh; orphan (no purchasing location) stays a series
    assert panel.keys == [("v1", "wh"), ("v2", "orphan")]
    assert [(r.variant_id, r.location_id, r.merged_into, r.sku) for r in panel.retractions] == [
        ("v1", "shop", "wh", None),
        ("v3", "shop", "wh", "S3"),
    ]
    assert panel.y.tolist() == [[2, 0, 0], [0, 0, 0]]
