"""Fixtures for the policy tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from policy_builders import HZ, LV, normal_contract, poisson_contract

from restock_policy import PolicyInputs

__all__ = ["HZ", "LV", "normal_contract", "poisson_contract"]


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
