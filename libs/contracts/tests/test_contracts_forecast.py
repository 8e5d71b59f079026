from __future__ import annotations

import math
from typing import Any

import pytest
from contracts_samples import HORIZONS, LEVELS, TENANT, forecast_record
from pydantic import ValidationError

from restock_contracts import FORECASTS, ContractError
from restock_contracts.forecasting.v1 import ForecastsPublished


def _grid() -> list[list[float]]:
    return [[2.0 * h * (1 + q) for q in LEVELS] for h in HORIZONS]


def test_consistent_forecast_is_accepted() -> None:
    forecast = forecast_record()
    assert len(forecast.cumulative_quantiles) == len(forecast.quantile_horizons_days)
    assert forecast.model_params["order"] == [1, 0, 1]


def test_tiny_float_noise_is_tolerated() -> None:
    grid = _grid()
    grid[3][4] = grid[3][3] - 1e-12
    forecast_record(cumulative_quantiles=grid)


def _decreasing_level() -> list[list[float]]:
    grid = _grid()
    grid[2][5] = grid[2][4] - 1.0
    return grid


def _decreasing_horizon() -> list[list[float]]:
    grid = _grid()
    grid[4] = [value * 0.1 for value in grid[3]]
    return grid


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"mean_daily": [1.0] * 364}, "at least 365"),
        ({"mean_daily": [1.0] * 364 + [-0.5]}, "greater than or equal to 0"),
        ({"mean_daily": [1.0] * 364 + [math.nan]}, "finite number"),
        ({"quantile_horizons_days": [7, 7, *HORIZONS[2:]]}, "strictly increasing"),
        ({"quantile_horizons_days": [*HORIZONS[:-1], 400]}, "exceeds the mean path"),
        ({"quantile_levels": [0.5, 0.4, *LEVELS[2:]]}, "quantile_levels must be strictly"),
        ({"quantile_levels": [*LEVELS[:-1], 1.0]}, "less than 1"),
        ({"cumulative_quantiles": _grid()[:-1]}, "rows, expected 13"),
        ({"cumulative_quantiles": [row[:-1] for row in _grid()]}, "expected 9 \\(levels\\)"),
        ({"cumulative_quantiles": _decreasing_level()}, "row 2 decreases along levels"),
        ({"cumulative_quantiles": _decreasing_horizon()}, "decrease from horizon 28 to 35"),
        ({"demand_class": "spiky"}, "demand_class"),
        ({"granularity": "Q"}, "granularity"),
    ],
)
def test_inconsistent_forecasts_are_rejected(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        forecast_record(**overrides)


def test_decode_rejects_an_invalid_forecast_on_the_wire() -> None:
    payload = ForecastsPublished(
        forecast_run_id=forecast_record().forecast_run_id,
        batch_seq=1,
        forecasts=[forecast_record()],
    )
    raw = FORECASTS.envelope(payload, TENANT, "forecaster").to_json_bytes()
    broken = raw.replace(b'"mean_daily":[2.0,', b'"mean_daily":[-2.0,', 1)
    assert broken != raw
    with pytest.raises(ContractError, match=r"mean_daily\.0"):
        FORECASTS.decode(broken)


def test_a_forecast_batch_fits_the_message_budget() -> None:
    forecast = forecast_record(mean_daily=[123.456789012345] * 365)
    assert len(forecast.model_dump_json()) < 12_000
