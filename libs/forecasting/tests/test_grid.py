"""Grid constants shared with the planner."""

from restock_forecasting.grid import HORIZON_DAYS, QUANTILE_HORIZONS_DAYS, QUANTILE_LEVELS


def test_grid_values() -> None:
    assert QUANTILE_HORIZONS_DAYS == (7, 14, 21, 28, 35, 42, 56, 70, 91, 119, 182, 273, 365)
    assert QUANTILE_LEVELS == (0.5, 0.75, 0.8, 0.85, 0.9, 0.95, 0.975, 0.99, 0.995)
    assert HORIZON_DAYS == 365
