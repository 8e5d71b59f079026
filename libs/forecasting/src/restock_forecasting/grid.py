"""Forecast-contract grid shared with the planner.

The planner interpolates between these horizons and levels; keep the names stable.
"""

from __future__ import annotations

HORIZON_DAYS: int = 365
"""Length of the daily mean path (days 1..365 after the as-of day)."""

QUANTILE_HORIZONS_DAYS: tuple[int, ...] = (7, 14, 21, 28, 35, 42, 56, 70, 91, 119, 182, 273, 365)
"""Horizons h (days) at which quantiles of cumulative demand over days 1..h are given."""

QUANTILE_LEVELS: tuple[float, ...] = (0.5, 0.75, 0.8, 0.85, 0.9, 0.95, 0.975, 0.99, 0.995)
"""Probability levels of the cumulative-demand quantiles."""

__all__ = ["HORIZON_DAYS", "QUANTILE_HORIZONS_DAYS", "QUANTILE_LEVELS"]
