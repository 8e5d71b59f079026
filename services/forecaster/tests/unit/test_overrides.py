from datetime import date

import numpy as np
import pytest

from forecaster.domain.errors import InvalidOverride
from forecaster.domain.overrides import Override, adjusted_mean, apply_overrides

AS_OF = date(2026, 1, 1)
HZ = (7, 14, 28)
LV = (0.5, 0.9)


def test_period_override_replaces_the_mean_on_its_days_only() -> None:
    mean = np.full(30, 2.0)
    ov = Override("period", date(2026, 1, 3), date(2026, 1, 5), units_per_day=10.0)
    out = adjusted_mean(mean, AS_OF, [ov])
    assert out[:2].tolist() == [2, 2] and out[2:5].tolist() == [10, 10, 10]
    assert out[5:].tolist() == [2.0] * 25


def test_total_units_are_spread_over_the_window_and_past_days_are_ignored() -> None:
    mean = np.ones(10)
    ov = Override("period", date(2025, 12, 30), date(2026, 1, 2), total_units=8.0)
    out = adjusted_mean(mean, AS_OF, [ov])
    assert out[:2].tolist() == [2.0, 2.0] and out[2] == 1.0


def test_rate_override_runs_to_the_end_and_later_overrides_win() -> None:
    mean = np.ones(10)
    out = adjusted_mean(
        mean,
        AS_OF,
        [
            Override("rate", date(2026, 1, 4), None, units_per_day=3.0),
            Override("period", date(2026, 1, 6), date(2026, 1, 6), units_per_day=0.0),
        ],
    )
    assert out.tolist() == [1, 1, 1, 3, 3, 0, 3, 3, 3, 3]


def test_quantiles_scale_with_the_cumulative_mean() -> None:
    mean = np.full(28, 1.0)
    q = np.array([[7, 11], [14, 19], [28, 35]], float)
    ov = Override("period", AS_OF, date(2026, 1, 7), units_per_day=3.0)
    new_mean, new_q = apply_overrides(mean, q, HZ, LV, AS_OF, [ov])
    assert new_mean[:7].sum() == 21
    np.testing.assert_allclose(new_q[0], [21, 33])
    np.testing.assert_allclose(new_q[1], np.array([14, 19]) * 28 / 14)
    np.testing.assert_allclose(new_q[2], np.array([28, 35]) * 42 / 28)


def test_zero_statistical_forecast_gets_poisson_quantiles() -> None:
    mean = np.zeros(28)
    q = np.zeros((3, 2))
    _, new_q = apply_overrides(
        mean, q, HZ, LV, AS_OF, [Override("rate", AS_OF, None, units_per_day=1.0)]
    )
    assert new_q[0, 0] == pytest.approx(7.0)
    assert new_q[0, 1] == pytest.approx(7 + 1.2815515655 * np.sqrt(7), rel=1e-6)
    assert np.all(np.diff(new_q, axis=0) >= 0) and np.all(np.diff(new_q, axis=1) >= 0)


def test_no_overrides_leaves_the_forecast_unchanged() -> None:
    mean, q = np.ones(28), np.ones((3, 2))
    m2, q2 = apply_overrides(mean, q, HZ, LV, AS_OF, [])
    assert (m2 == mean).all() and (q2 == q).all()


@pytest.mark.parametrize(
    "ov",
    [
        Override("period", AS_OF, None, units_per_day=1.0),
        Override("period", AS_OF, date(2025, 1, 1), units_per_day=1.0),
        Override("period", AS_OF, date(2026, 2, 1)),
        Override("period", AS_OF, date(2026, 2, 1), units_per_day=1.0, total_units=3.0),
        Override("rate", AS_OF, date(2026, 2, 1), units_per_day=1.0),
        Override("rate", AS_OF, None, units_per_day=-1.0),
        Override("weird", AS_OF, None, units_per_day=1.0),
    ],
)
def test_invalid_overrides_are_rejected(ov: Override) -> None:
    with pytest.raises(InvalidOverride):
        ov.validate()
