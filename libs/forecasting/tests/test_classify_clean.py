"""Classification thresholds, cleaning, censoring and outlier capping."""

from datetime import date

import numpy as np
import pytest

from restock_forecasting import classify as cl
from restock_forecasting.cleaning import cap_outliers, mask_unknown, to_buckets
from restock_forecasting.panel import forecast_panel
from restock_forecasting.seasonality import seasonal_indices, weekday_profile


def test_adi_cv2_known_values() -> None:
    y = np.array([[0.0, 1.0, 0.0, 10.0, np.nan]])
    adi, cv2 = cl.adi_cv2(y)
    assert adi[0] == pytest.approx(2.0)
    assert cv2[0] == pytest.approx(40.5 / 5.5**2)


def test_syntetos_boylan_quadrants() -> None:
    p = 40
    smooth = np.full(p, 10.0)
    erratic = np.tile([1.0, 10.0], p // 2)
    intermittent = np.tile([0.0, 5.0], p // 2)
    lumpy = np.tile([0.0, 1.0, 0.0, 10.0], p // 4)
    y = np.vstack([smooth, erratic, intermittent, lumpy])
    cls = cl.classify(y, min_periods=8, dead_periods=12)
    assert [cl.CLASS_NAMES[c] for c in cls] == ["smooth", "erratic", "intermittent", "lumpy"]


def test_adi_threshold_boundary() -> None:
    # 4 demand periods in 5 known -> ADI 1.25 (< 1.32, smooth); 3 in 4 -> 1.333
    a = np.tile([1.0, 1.0, 1.0, 1.0, 0.0], 8)
    b = np.tile([1.0, 1.0, 1.0, 0.0], 10)
    cls = cl.classify(np.vstack([a, b]), min_periods=8, dead_periods=12)
    assert cls.tolist() == [cl.SMOOTH, cl.INTERMITTENT]


def test_new_dead_discontinued() -> None:
    new = np.r_[np.full(30, np.nan), np.ones(5)]
    dead = np.r_[np.ones(20), np.zeros(15)]
    live = np.ones(35)
    cls = cl.classify(
        np.vstack([new, dead, live]),
        min_periods=8,
        dead_periods=12,
        discontinued=np.array([False, False, True]),
    )
    assert cls.tolist() == [cl.NEW, cl.DEAD, cl.DISCONTINUED]


def test_trailing_zero_run_skips_unknown_periods() -> None:
    y = np.array([[3.0, 0.0, np.nan, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 2.0], [0.0, np.nan, 0, 0, 0]])
    assert cl.trailing_zero_run(y).tolist() == [3, 0, 4]


def test_obsolete_threshold_scales_with_adi() -> None:
    # dead_periods 12: a series selling every period is obsolete after 6 empty periods
    # (max(12 / 2, 3 * ADI)); one selling every 3rd period (ADI ~3) needs 9; never more than 12.
    rows = [
        np.r_[np.ones(30), np.zeros(6)],
        np.r_[np.ones(30), np.zeros(5)],
        np.r_[np.tile([1.0, 0.0, 0.0], 10), np.zeros(8)],
        np.r_[np.tile([1.0, 0.0, 0.0], 10), np.zeros(10)],
        np.r_[np.tile([1.0] + [0.0] * 9, 3), np.zeros(12)],
    ]
    width = max(r.size for r in rows)
    y = np.vstack([np.r_[np.full(width - r.size, np.nan), r] for r in rows])
    cls = cl.classify(y, min_periods=8, dead_periods=12)
    assert cls[0] == cl.DEAD
    assert cls[1] == cl.SMOOTH
    assert cls[2] in (cl.INTERMITTENT, cl.LUMPY)
    assert cls[3] == cl.DEAD
    assert cls[4] == cl.DEAD


def test_mask_unknown_censoring_first_sale_and_negatives() -> None:
    y = np.array([[1.0, -2.0, 3.0, 0.0]])
    out = mask_unknown(y, np.array([[False, False, False, True]]), np.array([1]))
    assert np.isnan(out[0, 0])
    assert np.isnan(out[0, 3])
    assert out[0, 1:3].tolist() == [0.0, 3.0]


def test_buckets_scale_up_known_days() -> None:
    d = np.r_[np.full(5, 2.0), np.nan, np.nan][None, :]
    assert to_buckets(d, 7)[0, 0] == pytest.approx(14.0)
    d2 = np.r_[2.0, np.full(6, np.nan)][None, :]
    assert np.isnan(to_buckets(d2, 7)[0, 0])


def test_censored_days_do_not_pull_the_mean_down() -> None:
    t = 364
    y = np.full((2, t), 5.0)
    cens = np.zeros((2, t), bool)
    cens[0, 100:160] = True
    cens[0, 300:330] = True
    y[cens] = 0.0
    y[1, cens[0]] = 0.0
    f = forecast_panel(y, cens, as_of=date(2024, 6, 30))
    assert f.mean_daily[0].mean() == pytest.approx(5.0, rel=0.05)
    assert f.mean_daily[1].mean() < 4.9
    assert f.censored_days.tolist() == [90, 0]


def test_outlier_is_capped_and_flagged() -> None:
    rng = np.random.default_rng(1)
    y = rng.normal(100, 5, (1, 60))
    y[0, 30] = 1000.0
    capped, flag = cap_outliers(y)
    assert flag[0].sum() == 1
    assert flag[0, 30]
    assert 100 < capped[0, 30] < 200
    assert np.array_equal(capped[0, ~flag[0]], y[0, ~flag[0]])


def test_lumpy_series_spikes_are_not_capped() -> None:
    y = np.tile([0.0, 0.0, 0.0, 12.0, 0.0, 30.0], 10)[None, :]
    assert not cap_outliers(y)[1].any()


def test_panel_flags_outlier_days() -> None:
    y = np.full((1, 364), 3.0)
    y[0, 200] = 500.0
    f = forecast_panel(y, as_of=date(2024, 6, 30))
    assert f.outlier_mask[0, 200]
    assert f.outlier_mask.sum() == 1
    assert f.mean_daily[0].mean() == pytest.approx(3.0, rel=0.1)


def test_seasonal_indices_recover_pattern_and_short_series_borrow_category() -> None:
    m = 12
    pattern = 1 + 0.5 * np.sin(2 * np.pi * np.arange(m) / m)
    long = np.tile(pattern, 4) * 100
    rows = np.vstack([long * (1 + 0.01 * k) for k in range(6)])
    short = np.r_[np.full(40, np.nan), long[40:]]
    idx, lam = seasonal_indices(np.vstack([rows, short]), m, np.zeros(7, np.intp))
    assert idx[0] == pytest.approx(pattern / pattern.mean(), abs=0.03)
    assert lam[6] == 0.0
    assert idx[6] == pytest.approx(pattern / pattern.mean(), abs=0.03)


def test_weekday_profile_shrinks_low_volume_series_to_pool() -> None:
    shape = np.array([2.0, 1, 1, 1, 1, 1, 0])
    big = np.tile(shape * 50, 20)
    tiny = np.tile(np.array([0.0, 0, 0, 0, 0, 0, 1]), 20) * 0.2
    prof, pooled = weekday_profile(np.vstack([big, tiny]), 0)
    assert prof[0] == pytest.approx(shape / shape.mean(), abs=0.01)
    assert prof[1, 6] < 2.0
    assert pooled == pytest.approx(shape / shape.mean(), abs=0.01)
