"""Demand overrides on top of the statistical forecast, and how they change the contract.

An override is either

* a **period** override: ``start .. end`` (inclusive) with ``units_per_day`` or
  ``total_units`` (spread evenly over the window's days), or
* a **rate** override: ``units_per_day`` from ``start`` on, with no end.

Application (documented in the README): the daily mean path is replaced by the override
rate on the overridden days (later overrides win where they overlap). Cumulative
quantiles at each grid horizon h are scaled by M'(h) / M(h), the ratio of the adjusted to
the statistical cumulative mean over days 0 .. h-1, so the relative spread of the
statistical forecast is kept. Where the statistical cumulative mean is 0 there is no
spread to scale; quantiles become those of a Poisson demand with mean M'(h) (normal
approximation). Quantiles stay non-negative and non-decreasing along horizons and levels.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from statistics import NormalDist

import numpy as np
from numpy.typing import NDArray

from forecaster.domain.errors import InvalidOverride


@dataclass(frozen=True)
class Override:
    """One demand override of a SKU x location (``end`` None = open-ended rate)."""

    kind: str
    start: date
    end: date | None
    units_per_day: float | None = None
    total_units: float | None = None

    def validate(self) -> None:
        """Raise :class:`InvalidOverride` when the fields do not describe an override."""
        if self.kind not in ("period", "rate"):
            raise InvalidOverride("kind must be 'period' or 'rate'")
        if (self.units_per_day is None) == (self.total_units is None):
            raise InvalidOverride("give exactly one of units_per_day and total_units")
        if self.kind == "rate" and (self.total_units is not None or self.end is not None):
            raise InvalidOverride("a rate override has units_per_day and no end date")
        if self.kind == "period" and self.end is None:
            raise InvalidOverride("a period override needs an end date")
        if self.end is not None and self.end < self.start:
            raise InvalidOverride("end date is before start date")
        for value in (self.units_per_day, self.total_units):
            if value is not None and (not np.isfinite(value) or value < 0):
                raise InvalidOverride("quantities must be finite and >= 0")

    def daily_rate(self) -> float:
        """Units per day over the override's window."""
        if self.units_per_day is not None:
            return float(self.units_per_day)
        assert self.end is not None
        assert self.total_units is not None
        return float(self.total_units) / ((self.end - self.start).days + 1)


def adjusted_mean(
    mean: NDArray[np.float64], as_of: date, overrides: Sequence[Override]
) -> NDArray[np.float64]:
    """float64 (D,) mean path (day 0 = ``as_of``) with the overrides applied in order."""
    out = np.array(mean, dtype=float)
    d = out.size
    for ov in overrides:
        lo = max((ov.start - as_of).days, 0)
        hi = d if ov.end is None else min((ov.end - as_of).days + 1, d)
        if lo < hi:
            out[lo:hi] = ov.daily_rate()
    return out


def apply_overrides(
    mean: NDArray[np.float64],
    quantiles: NDArray[np.float64],
    horizons: Sequence[int],
    levels: Sequence[float],
    as_of: date,
    overrides: Sequence[Override],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Adjusted (mean (D,), cumulative quantiles (H, L)) for a statistical forecast.

    mean: float64 (D,) daily mean, day 0 = ``as_of``; quantiles: float64 (H, L) of demand
    summed over days 0 .. horizons[h]-1 at ``levels``.
    """
    mean = np.asarray(mean, dtype=float)
    q = np.asarray(quantiles, dtype=float)
    if not overrides:
        return mean.copy(), q.copy()
    new_mean = adjusted_mean(mean, as_of, overrides)
    hz = np.asarray(horizons, dtype=np.intp)
    m_old = np.cumsum(mean)[hz - 1]
    m_new = np.cumsum(new_mean)[hz - 1]
    ratio = np.divide(m_new, m_old, out=np.ones_like(m_new), where=m_old > 0)
    scaled = q * ratio[:, None]
    z = np.array([NormalDist().inv_cdf(level) for level in levels])
    poisson = np.maximum(m_new[:, None] + z[None, :] * np.sqrt(m_new)[:, None], 0.0)
    out = np.where((m_old > 0)[:, None], scaled, poisson)
    out = np.maximum(out, 0.0)
    out = np.maximum.accumulate(out, axis=1)
    out = np.maximum.accumulate(out, axis=0)
    return new_mean, out
