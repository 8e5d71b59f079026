"""What a re-plan reads, as plain data (the adapters fill it; nothing here touches I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from numpy.typing import NDArray

from planner.domain.positions import OnOrder

Key = tuple[str, str]


@dataclass(frozen=True)
class Sku:
    """A SKU (variant) as the planner needs it; money in base currency per stock unit."""

    variant_id: str
    name: str
    sku: str | None = None
    category: str | None = None
    uom: str | None = None
    purchase_uom: str | None = None
    purchase_uom_factor: float = 1.0
    is_manufactured: bool = False
    cost: float | None = None
    price: float | None = None
    default_supplier_id: str | None = None
    lead_time_days: float | None = None
    moq: float | None = None
    discontinued: bool = False


@dataclass(frozen=True)
class Supplier:
    """A supplier: its currency and the provider's lead time."""

    supplier_id: str
    name: str
    currency: str | None = None
    lead_time_days: float | None = None


@dataclass(frozen=True)
class Location:
    """A location; sales-only ones roll up into their purchasing location."""

    location_id: str
    is_sales_only: bool = False
    purchasing_location_id: str | None = None


@dataclass(frozen=True)
class Forecast:
    """The forecast contract of one SKU × location (day 0 of ``mean_daily`` is ``as_of``).

    mean_daily (D,), horizons (G,), levels (L,), quantiles (G, L) of cumulative demand.
    """

    as_of: date
    mean_daily: NDArray[np.float64]
    horizons: NDArray[np.float64]
    levels: NDArray[np.float64]
    quantiles: NDArray[np.float64]
    demand_class: str = "smooth"


@dataclass(frozen=True)
class Receipt:
    """A received PO line, for learning lead times."""

    variant_id: str
    supplier_id: str | None
    order_date: date
    received_date: date


@dataclass
class Snapshot:
    """Every input of one tenant's re-plan."""

    today: date
    primary_source: str | None
    skus: dict[str, Sku]
    suppliers: dict[str, Supplier] = field(default_factory=dict)
    locations: dict[str, Location] = field(default_factory=dict)
    bom: list[tuple[str, str, float]] = field(default_factory=list)
    stock: dict[Key, tuple[float, float]] = field(default_factory=dict)
    on_order: OnOrder = field(default_factory=lambda: OnOrder({}, {}))
    forecasts: dict[Key, Forecast] = field(default_factory=dict)
    receipts: list[Receipt] = field(default_factory=list)
    last_po_supplier: dict[str, str] = field(default_factory=dict)
    """Per variant: the supplier of its most recent PO line (any status, newest order date)."""
    global_settings: dict[str, Any] = field(default_factory=dict)
    supplier_settings: dict[str, dict[str, Any]] = field(default_factory=dict)
    product_settings: dict[Key, dict[str, Any]] = field(default_factory=dict)
    """Keyed by (variant_id, location_id); location "" applies to every location."""
