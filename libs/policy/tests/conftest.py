"""Shared builders of forecast-contract arrays for the policy tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from scipy import stats

from restock_forecasting.grid import QUANTILE_HORIZONS_DAYS, QUANTILE_LEVELS
from restock_policy import PolicyInputs

HZ = np.array(QUANTILE_HORIZONS_DAYS, dtype=float)
LV = np.array(QUANTILE_LEVELS, dtype=float)


def normal_contract(
    mu: np.ndarray, sigma: np.ndarray, days: int = 365
) -> tuple[np.ndarray, np.ndarray]:
    """iid normal daily demand: mean path (n, days) and cumulative quantiles (n, G, L)."""
    mu = np.atleast_1d(np.asarray(mu, float))
    sigma = np.broadcast_to(np.asarray(sigma, float), mu.shape)
    md = np.repeat(mu[:, None], days, axis=1)
    z = stats.norm.ppf(LV)[None, None, :]
    cq = (
        mu[:, None, None] * HZ[None, :, None]
        + z * sigma[:, None, None] * np.sqrt(HZ)[None, :, None]
    )
    return md, np.maximum(cq, 0.0)


def poisson_contract(lam: np.ndarray, days: int = 365) -> tuple[np.ndarray, np.ndarray]:
    """iid Poisson daily demand: integer cumulative quantiles."""
    lam = np.atleast_1d(np.asarray(lam, float))
    md = np.repeat(lam[:, None], days, axis=1)
    cq = stats.poisson.ppf(LV[None, None, :], lam[:, None, None] * HZ[None, :, None])
    return md, cq.astype(float)


@pytest.fixture
def normal_inputs() -> Callable[..., PolicyInputs]:
    """Factory: PolicyInputs for n rows of iid normal(mu, sigma) daily demand."""

    def make(mu: Any = 10.0, sigma: Any = 3.0, **kw: Any) -> PolicyInputs:
        md, cq = normal_contract(mu, sigma)
        kw.setdefault("on_hand", 0.0)
        kw.setdefault("lead_time_mean_days", 21.0)
        kw.setdefault("review_period_days", 14.0)
        kw.setdefault("today", np.datetime64("2026-03-01"))
        return PolicyInputs(mean_daily=md, cum_quantiles=cq, **kw)

    return make
