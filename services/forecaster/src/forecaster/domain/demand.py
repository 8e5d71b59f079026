"""Demand semantics of sales lines (architecture §4) and the daily demand panel.

A line counts as demand when its normalised status is in the demand-status policy
(default open, fulfilled, returned; quotes, drafts and cancelled lines never count by
default). Unfulfilled orders count on their order date; a return (credit note,
``is_return``) subtracts on the original sale's date. Days are the tenant's LOCAL days.
After summing a day (and rolling sales-only locations into their purchasing location) a
day is never negative.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol, TypeVar
from zoneinfo import ZoneInfo

import numpy as np
from numpy.typing import NDArray

DEFAULT_DEMAND_STATUSES: tuple[str, ...] = ("open", "fulfilled", "returned")
"""Normalised statuses that count as demand until the planner publishes a policy."""

ALL_STATUSES: tuple[str, ...] = (
    "quote",
    "draft",
    "submitted",
    "open",
    "fulfilled",
    "cancelled",
    "returned",
)
"""Every normalised sales status of the contract, in a fixed order (status codes)."""

DEFAULT_BACKTEST_HORIZON_DAYS = 35
"""Backtest horizon (lead time + review period) until the planner publishes settings."""


def status_code(status: str) -> int:
    """Index of a normalised status in :data:`ALL_STATUSES`."""
    return ALL_STATUSES.index(status)


def policy_mask(statuses: Iterable[str]) -> NDArray[np.bool_]:
    """bool (S,) over :data:`ALL_STATUSES`: which statuses count as demand."""
    wanted = set(statuses)
    return np.array([s in wanted for s in ALL_STATUSES], dtype=bool)


def demand_instant(
    order_date: datetime, is_return: bool, original_sale_date: datetime | None
) -> datetime:
    """When a line affects demand: returns on the original sale's date when known."""
    if is_return and original_sale_date is not None:
        return original_sale_date
    return order_date


def local_day(instant: datetime, time_zone: str) -> date:
    """The tenant-local calendar day of an aware instant."""
    return instant.astimezone(ZoneInfo(time_zone)).date()


def signed_quantity(quantity: float, is_return: bool) -> float:
    """Demand effect of a line: returns subtract."""
    return -quantity if is_return else quantity


class Versioned(Protocol):
    """A provider record with an optional last-modified instant."""

    @property
    def updated_at(self) -> datetime | None: ...


R = TypeVar("R", bound=Versioned)


def is_newer(incoming: datetime | None, held: datetime | None) -> bool:
    """Apply ``incoming`` over ``held``? Only if strictly newer (None = no version)."""
    if incoming is None or held is None:
        return True
    return incoming > held


def latest_by_key(records: Sequence[R], key: Iterable[Hashable]) -> list[R]:
    """Collapse records sharing a key to the newest one (later wins on a tie), in order."""
    chosen: dict[Hashable, R] = {}
    for k, record in zip(key, records, strict=True):
        held = chosen.get(k)
        if (
            held is None
            or is_newer(record.updated_at, held.updated_at)
            or (record.updated_at == held.updated_at)
        ):
            chosen[k] = record
    return list(chosen.values())


@dataclass(frozen=True)
class DemandPanel:
    """Daily demand for n series over T days (column T-1 = the last complete day).

    y: float64 (n, T) demand >= 0; first_sale_idx: int (n,) first column with positive
    demand (T when never), history before it is unknown to the engine.
    """

    y: NDArray[np.float64]
    first_sale_idx: NDArray[np.intp]


def build_panel(
    series_idx: NDArray[np.intp],
    day_idx: NDArray[np.intp],
    status: NDArray[np.intp],
    quantity: NDArray[np.float64],
    policies: NDArray[np.bool_],
    n: int,
    t: int,
) -> DemandPanel:
    """Sum signed line quantities into an (n, t) panel, honouring each series' policy.

    series_idx, day_idx, status: int (m,) per aggregated line group (status code into
    :data:`ALL_STATUSES`; day index outside 0..t-1 is dropped); quantity: float (m,)
    signed (returns negative); policies: bool (n, S) statuses counting per series.
    Negative days (returns exceeding sales) are clipped to 0.
    """
    y = np.zeros((n, t))
    if n == 0 or series_idx.size == 0:
        return DemandPanel(y=y, first_sale_idx=np.full(n, t, np.intp))
    keep = (day_idx >= 0) & (day_idx < t) & policies[series_idx, status]
    np.add.at(y, (series_idx[keep], day_idx[keep]), quantity[keep])
    y = np.maximum(y, 0.0)
    positive = y > 0
    first = np.where(positive.any(axis=1), positive.argmax(axis=1), t).astype(np.intp)
    return DemandPanel(y=y, first_sale_idx=first)
