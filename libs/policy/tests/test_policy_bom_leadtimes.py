"""BOM explosion, location roll-up and learned lead times."""

from __future__ import annotations

import numpy as np
import pytest

from restock_policy import explode_bom, learn_lead_times, roll_up_locations
from restock_policy.bom import BomCycleError


def test_multi_level_explosion() -> None:
    # 0 = bike (make) -> 2 x 1 wheel (make) -> 36 x 2 spoke; bike -> 1 x 3 frame (bought) -> 4 bolt
    demand = np.zeros((5, 3))
    demand[0] = [10, 0, 5]
    demand[1] = [1, 1, 1]
    added = explode_bom(
        demand,
        parent_idx=[0, 1, 0, 3],
        child_idx=[1, 2, 3, 4],
        qty_per=[2.0, 36.0, 1.0, 4.0],
        make_flags=[True, True, False, False, False],
    )
    np.testing.assert_allclose(added[1], [20, 0, 10])
    np.testing.assert_allclose(added[2], 36 * np.array([21, 1, 11]))
    np.testing.assert_allclose(added[3], [10, 0, 5])
    np.testing.assert_allclose(added[4], 0)
    np.testing.assert_allclose(added[0], 0)


def test_diamond_bom_adds_both_paths() -> None:
    demand = np.array([[1.0], [0.0], [0.0], [0.0]])
    added = explode_bom(demand, [0, 0, 1, 2], [1, 2, 3, 3], [1.0, 2.0, 3.0, 5.0], True)
    np.testing.assert_allclose(added[:, 0], [0, 1, 2, 3 + 10])


def test_bom_cycle_is_reported() -> None:
    with pytest.raises(BomCycleError, match=r"cycle through items \[1, 2, 3\]"):
        explode_bom(np.ones((4, 2)), [0, 1, 2, 3], [1, 2, 3, 1], [1.0, 1, 1, 1], True)
    with pytest.raises(BomCycleError, match=r"\[0\]"):
        explode_bom(np.ones((2, 2)), [0], [0], [1.0], True)


def test_bom_bad_index() -> None:
    with pytest.raises(ValueError, match="out of range"):
        explode_bom(np.ones((2, 2)), [0], [5], [1.0], True)


def test_roll_up_sales_only_locations() -> None:
    on_hand = np.array([10.0, 3.0, 4.0, 7.0])
    rolled = roll_up_locations(on_hand, [0, 0, 0, 3])
    np.testing.assert_array_equal(rolled, [17, 0, 0, 7])
    two = roll_up_locations(np.stack([on_hand, on_hand], axis=1), [0, 0, 0, 3])
    np.testing.assert_array_equal(two[:, 1], [17, 0, 0, 7])
    with pytest.raises(ValueError, match="map to itself"):
        roll_up_locations(on_hand, [1, 0, 0, 3])


def test_learned_lead_times() -> None:
    keys = np.array(["a|s1", "a|s1", "a|s1", "b|s1", "b|s1", "a|s1", "c|s2", "c|s2", "c|s2"])
    order = np.array(["2026-01-01"] * 9, dtype="datetime64[D]")
    recv = np.array(
        [
            "2026-01-11",
            "2026-01-15",
            "2026-01-13",
            "2026-01-05",
            "2026-01-06",
            "NaT",
            "2026-01-08",
            "2025-12-20",
            "2026-01-09",
        ],
        dtype="datetime64[D]",
    )
    lt = learn_lead_times(keys, order, recv)
    assert lt.keys.tolist() == ["a|s1", "b|s1", "c|s2"]
    assert lt.mean_days[0] == pytest.approx(12.0)
    assert lt.std_days[0] == pytest.approx(2.0)
    assert lt.receipts.tolist() == [3, 2, 2]
    assert np.isnan(lt.mean_days[1])
    assert np.isnan(lt.std_days[2])
    lt2 = learn_lead_times(keys, order, recv, min_receipts=2)
    assert lt2.mean_days[1] == pytest.approx(4.5)
