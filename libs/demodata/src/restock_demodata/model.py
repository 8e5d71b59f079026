"""Provider-neutral business dataset produced by :func:`restock_demodata.generate`.

Dimension tables (items, variants, suppliers, ...) are tuples of small frozen dataclasses.
Fact tables (sales, purchases, stock movements) can hold millions of rows, so they are
frozen *columnar* dataclasses: every column is a 1-D numpy array of the same length
``(n,)``; row ``i`` of a table is ``table.row(i)``.

Conventions:

- ids are positive ints, unique per table, increasing with creation time;
- instants are ``numpy.datetime64[ms]`` in UTC (``NaT`` = not set); dates are
  ``datetime64[D]`` local calendar days in ``DatasetSpec.time_zone``;
- quantities are in the item's stock UoM unless a field says "purchase UoM";
- money is in the base currency unless a field says otherwise; an ``fx_rate`` is the
  number of base-currency units for one unit of the foreign currency.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import IntEnum, StrEnum
from typing import Any

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
CodeArray = npt.NDArray[np.int8]
InstantArray = npt.NDArray[np.datetime64]


@dataclass(frozen=True, slots=True)
class DatasetSpec:
    """What to generate. The same spec always yields the same dataset."""

    seed: int = 42
    skus: int = 200
    locations: int = 2
    years: float = 2.0
    end_date: date = date(2026, 11, 1)
    base_currency: str = "NZD"
    time_zone: str = "Pacific/Auckland"
    company_name: str = "Kiwi Outdoor Gear Ltd"


class ItemKind(StrEnum):
    """Whether an item is a finished/sellable product or a raw material."""

    PRODUCT = "product"
    MATERIAL = "material"


class DemandClass(StrEnum):
    """Syntetos-Boylan demand pattern of a variant (ground truth)."""

    SMOOTH = "smooth"
    ERRATIC = "erratic"
    INTERMITTENT = "intermittent"
    LUMPY = "lumpy"
    NONE = "none"


class SalesOrderStatus(IntEnum):
    """Neutral sales order status; codes are stored in ``SalesOrders.status``."""

    QUOTE = 0
    OPEN = 1
    DELIVERED = 2


class PurchaseOrderStatus(IntEnum):
    """Neutral purchase order status; codes are stored in ``PurchaseOrders.status``."""

    DRAFT = 0
    OPEN = 1
    PARTIALLY_RECEIVED = 2
    RECEIVED = 3


class MovementKind(IntEnum):
    """Cause of a stock movement; codes are stored in ``StockMovements.kind``."""

    OPENING = 0
    PURCHASE_RECEIPT = 1
    SALE = 2
    PRODUCTION_OUTPUT = 3
    PRODUCTION_CONSUMPTION = 4
    TRANSFER_OUT = 5
    TRANSFER_IN = 6


@dataclass(frozen=True, slots=True)
class Category:
    """Product/material category."""

    id: int
    name: str


@dataclass(frozen=True, slots=True)
class TaxRate:
    """Tax rate in percent (e.g. 15.0)."""

    id: int
    name: str
    rate: float
    is_default_sales: bool
    is_default_purchases: bool


@dataclass(frozen=True, slots=True)
class Location:
    """A stock location. With >= 2 locations, location 2 is sales-only (stock arrives
    there by transfers from the primary location)."""

    id: int
    name: str
    legal_name: str
    is_primary: bool
    sales_allowed: bool
    purchase_allowed: bool
    manufacturing_allowed: bool
    line_1: str
    city: str
    zip: str
    country: str


@dataclass(frozen=True, slots=True)
class Supplier:
    """A supplier; ``currency`` may differ from the base currency."""

    id: int
    name: str
    email: str
    phone: str
    currency: str
    country: str
    default_lead_time_days: int
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Customer:
    """A customer; orders are priced in ``currency``."""

    id: int
    name: str
    first_name: str
    last_name: str
    company: str
    email: str
    phone: str
    currency: str
    category: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ItemConfig:
    """A configuration attribute of an item (e.g. Size: S, M, L)."""

    name: str
    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Item:
    """A product or material; its sellable/stockable units are its variants."""

    id: int
    kind: ItemKind
    name: str
    category_id: int
    uom: str
    purchase_uom: str
    purchase_uom_conversion_rate: float
    is_sellable: bool
    is_producible: bool
    is_purchasable: bool
    default_supplier_id: int | None
    configs: tuple[ItemConfig, ...]
    created_at: datetime
    discontinued_at: datetime | None


@dataclass(frozen=True, slots=True)
class Variant:
    """A SKU. ``purchase_price`` is in the supplier currency per purchase UoM;
    ``unit_cost`` is in base currency per stock UoM; ``sales_price`` in base currency."""

    id: int
    item_id: int
    kind: ItemKind
    sku: str
    name: str
    config_attributes: tuple[tuple[str, str], ...]
    sales_price: float | None
    purchase_price: float | None
    unit_cost: float
    supplier_id: int | None
    lead_time_days: int | None
    minimum_order_quantity: float | None
    barcode: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class BomLine:
    """One ingredient of a manufactured variant, per 1 unit of the parent."""

    id: str
    product_item_id: int
    product_variant_id: int
    ingredient_variant_id: int
    quantity: float
    rank: int


@dataclass(frozen=True, slots=True)
class VariantTruth:
    """Ground truth used by the generator, for checking forecasters and planners.

    ``weekday_profile`` has shape (7,) Monday..Sunday and averages 1. ``base_daily_demand``
    is the mean daily demand (stock UoM) at the start of history, summed over locations.
    """

    variant_id: int
    demand_class: DemandClass
    base_daily_demand: float
    trend_per_year: float
    seasonality_amplitude: float
    seasonality_peak_doy: int
    weekday_profile: tuple[float, ...]
    lead_time_mean_days: float
    lead_time_sd_days: float
    launch_date: date | None
    discontinued_date: date | None
    stockout_day_count: int


@dataclass(frozen=True, slots=True)
class FxRates:
    """Monthly FX rates. ``rates`` has shape (n_currencies, n_months); ``months`` has
    shape (n_months,) of ``datetime64[D]`` first-of-month dates."""

    currencies: tuple[str, ...]
    months: npt.NDArray[np.datetime64]
    rates: FloatArray = field(repr=False)

    def rate(self, currency: str, day: np.datetime64 | date) -> float:
        """Base-currency units for one unit of ``currency`` on ``day`` (1.0 for base)."""
        if currency not in self.currencies:
            return 1.0
        d = np.asarray(day, dtype="datetime64[D]")
        i = int(np.searchsorted(self.months, d, side="right")) - 1
        return float(self.rates[self.currencies.index(currency), max(i, 0)])


class _Columns:
    """Mixin for columnar tables: length and row access as dicts."""

    __slots__ = ()

    def __len__(self) -> int:
        return int(getattr(self, "id").shape[0])  # noqa: B009

    def row(self, i: int) -> dict[str, Any]:
        """Row ``i`` as a dict of Python scalars (``None`` for NaT)."""
        out: dict[str, Any] = {}
        for name in self.__dataclass_fields__:  # type: ignore[attr-defined]
            value = getattr(self, name)[i]
            if isinstance(value, np.datetime64):
                out[name] = None if np.isnat(value) else value.item()
            else:
                out[name] = value.item()
        return out


@dataclass(frozen=True, slots=True, eq=False)
class SalesOrders(_Columns):
    """Sales order headers, shape (n_orders,) per column. Lines of order ``i`` are
    ``SalesLines[line_start[i] : line_start[i] + line_count[i]]``."""

    id: IntArray
    customer_id: IntArray
    location_id: IntArray
    status: CodeArray
    ordered_at: InstantArray
    delivery_date: InstantArray
    delivered_at: InstantArray
    fx_rate: FloatArray
    line_start: IntArray
    line_count: IntArray


@dataclass(frozen=True, slots=True, eq=False)
class SalesLines(_Columns):
    """Sales order lines, shape (n_lines,) per column, grouped by order.
    ``unit_price`` is in the order (customer) currency, excluding tax."""

    id: IntArray
    order_id: IntArray
    variant_id: IntArray
    location_id: IntArray
    quantity: FloatArray
    unit_price: FloatArray
    tax_rate_id: IntArray


@dataclass(frozen=True, slots=True, eq=False)
class PurchaseOrders(_Columns):
    """Purchase order headers, shape (n_orders,) per column; lines like ``SalesOrders``."""

    id: IntArray
    supplier_id: IntArray
    location_id: IntArray
    status: CodeArray
    ordered_at: InstantArray
    expected_arrival: InstantArray
    fx_rate: FloatArray
    line_start: IntArray
    line_count: IntArray


@dataclass(frozen=True, slots=True, eq=False)
class PurchaseLines(_Columns):
    """Purchase order lines, shape (n_lines,). ``quantity`` and ``unit_price`` are per
    purchase UoM in the supplier currency; stock quantity = quantity * conversion_rate.
    ``received_at`` is NaT for open lines."""

    id: IntArray
    order_id: IntArray
    variant_id: IntArray
    location_id: IntArray
    quantity: FloatArray
    unit_price: FloatArray
    conversion_rate: FloatArray
    arrival_date: InstantArray
    received_at: InstantArray
    tax_rate_id: IntArray


@dataclass(frozen=True, slots=True, eq=False)
class StockMovements(_Columns):
    """Stock ledger, shape (n_movements,), sorted by (variant, location, at, id).
    ``source_id`` is the causing line id (sales/purchase line, production run, transfer)
    or -1; ``source_order_id`` is the order id or -1."""

    id: IntArray
    variant_id: IntArray
    location_id: IntArray
    at: InstantArray
    kind: CodeArray
    quantity_change: FloatArray
    balance_after: FloatArray
    unit_cost: FloatArray
    source_id: IntArray
    source_order_id: IntArray


@dataclass(frozen=True, slots=True, eq=False)
class StockLevels(_Columns):
    """Current stock per variant x location, shape (n_variants * n_locations,).
    ``expected`` is the open purchase quantity (stock UoM); ``committed`` is open sales."""

    id: IntArray
    variant_id: IntArray
    location_id: IntArray
    on_hand: FloatArray
    committed: FloatArray
    expected: FloatArray
    safety_stock: FloatArray
    reorder_point: FloatArray
    average_cost: FloatArray


@dataclass(frozen=True, slots=True, eq=False)
class StockoutDays(_Columns):
    """Ground truth: local days on which a variant had zero stock at a location all day
    (no sales possible). Shape (n,) per column."""

    id: IntArray
    variant_id: IntArray
    location_id: IntArray
    day: npt.NDArray[np.datetime64]


@dataclass(frozen=True, slots=True, eq=False)
class Dataset:
    """A complete demo business. ``now`` is the UTC instant the history ends at
    (local midnight starting ``spec.end_date``); ``start_date`` is the first local day."""

    spec: DatasetSpec
    company_name: str
    base_currency: str
    time_zone: str
    start_date: date
    now: datetime
    categories: tuple[Category, ...]
    tax_rates: tuple[TaxRate, ...]
    fx: FxRates
    locations: tuple[Location, ...]
    suppliers: tuple[Supplier, ...]
    customers: tuple[Customer, ...]
    items: tuple[Item, ...]
    variants: tuple[Variant, ...]
    bom_lines: tuple[BomLine, ...]
    sales_orders: SalesOrders
    sales_lines: SalesLines
    purchase_orders: PurchaseOrders
    purchase_lines: PurchaseLines
    movements: StockMovements
    stock_levels: StockLevels
    truth: tuple[VariantTruth, ...]
    stockout_days: StockoutDays
