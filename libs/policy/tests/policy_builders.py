"""Builders of forecast-contract arrays for the policy tests (importable by name)."""

from __future__ import annotations

import numpy as np
from scipy import stats

from restock_forecasting.grid import QUANTILE_HORIZONS_DAYS, QUANTILE_LEVELS

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
