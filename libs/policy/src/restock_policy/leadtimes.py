"""Lead times learned from received purchase-order lines (vectorised group-by)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

MIN_RECEIPTS = 3


@dataclass(frozen=True)
class LearnedLeadTimes:
    """Per-group lead-time statistics (g groups).

    keys: (g,) unique group keys (e.g. "variant|supplier"); mean_days, std_days: float64
    (g,), NaN when fewer than ``min_receipts`` valid receipts; receipts: int64 (g,).
    """

    keys: NDArray[Any]
    mean_days: NDArray[np.float64]
    std_days: NDArray[np.float64]
    receipts: NDArray[np.int64]


def learn_lead_times(
    group_key: ArrayLike,
    order_date: ArrayLike,
    receive_date: ArrayLike,
    min_receipts: int = MIN_RECEIPTS,
) -> LearnedLeadTimes:
    """Mean and sample std (ddof 1) of receive − order days per group.

    group_key: (m,) any hashable dtype (variant × supplier key per received PO line);
    order_date, receive_date: datetime64 (m,) (strings are parsed). Lines without a receive
    date (NaT) or received before they were ordered are ignored. Groups with fewer than
    ``min_receipts`` valid lines get NaN (the settings precedence then falls through to the
    supplier or global value).
    """
    keys = np.asarray(group_key)
    od = np.asarray(order_date, dtype="datetime64[D]")
    rd = np.asarray(receive_date, dtype="datetime64[D]")
    if not (keys.shape == od.shape == rd.shape) or keys.ndim != 1:
        raise ValueError("group_key, order_date and receive_date must be (m,) arrays")
    uniq, inv = np.unique(keys, return_inverse=True)
    days = (rd - od).astype("timedelta64[D]").astype(np.float64)
    valid = ~np.isnat(od) & ~np.isnat(rd)
    days = np.where(valid, days, np.nan)
    valid &= days >= 0
    g = uniq.size
    cnt = np.bincount(inv, weights=valid.astype(float), minlength=g)
    d = np.where(valid, days, 0.0)
    s1 = np.bincount(inv, weights=d, minlength=g)
    mean = np.divide(s1, cnt, out=np.full(g, np.nan), where=cnt > 0)
    dev = np.where(valid, days - mean[inv], 0.0)
    ss = np.bincount(inv, weights=dev**2, minlength=g)
    std = np.sqrt(np.divide(ss, cnt - 1, out=np.full(g, np.nan), where=cnt > 1))
    enough = cnt >= min_receipts
    return LearnedLeadTimes(
        keys=uniq,
        mean_days=np.where(enough, mean, np.nan),
        std_days=np.where(enough, std, np.nan),
        receipts=cnt.astype(np.int64),
    )
