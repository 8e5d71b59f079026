"""Restock forecasting engine: vectorised demand classification, models, backtests and quantiles.

Entry points: :func:`forecast_panel` (daily SKU x location panel -> forecast contract),
:func:`forecast_periodic` (equally spaced periods), :func:`explain`, and the CSV CLI
:func:`restock_forecasting.cli.main`.
"""

from .classify import CLASS_NAMES
from .engine import CANDIDATES, PeriodicForecast, forecast_periodic
from .grid import HORIZON_DAYS, QUANTILE_HORIZONS_DAYS, QUANTILE_LEVELS
from .panel import PanelForecast, explain, forecast_panel

__all__ = [
    "CANDIDATES",
    "CLASS_NAMES",
    "HORIZON_DAYS",
    "QUANTILE_HORIZONS_DAYS",
    "QUANTILE_LEVELS",
    "PanelForecast",
    "PeriodicForecast",
    "explain",
    "forecast_panel",
    "forecast_periodic",
]
