"""Location roll-up: sales-only locations' demand merges into their purchasing location.

Quantiles of separate locations cannot be added afterwards, so the merge happens on the
daily history before forecasting (architecture §4 "Locations").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class LocationInfo:
    """What the roll-up needs to know about one location."""

    location_id: str
    is_sales_only: bool
    purchasing_location_id: str | None


MAX_DEPTH = 8


def rollup_map(locations: Mapping[str, LocationInfo]) -> dict[str, str]:
    """location id -> the (purchasing) location whose series its demand belongs to.

    A sales-only location without a purchasing location, or a cycle, stays on its own.
    Chains (sales-only -> sales-only -> purchasing) are followed.
    """
    result: dict[str, str] = {}
    for loc_id in locations:
        target = loc_id
        for _ in range(MAX_DEPTH):
            info = locations.get(target)
            if info is None or not info.is_sales_only or not info.purchasing_location_id:
                break
            target = info.purchasing_location_id
        else:
            target = loc_id
        result[loc_id] = target
    return result


def resolve(location_id: str, mapping: Mapping[str, str]) -> str:
    """The series location of a line's location (unknown locations stand alone)."""
    return mapping.get(location_id, location_id)
