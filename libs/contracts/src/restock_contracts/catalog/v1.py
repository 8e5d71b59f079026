"""Catalog payloads, v1: SKUs, suppliers, locations and BOM rows read from a provider.

Topics: ``catalog.skus.v1``, ``catalog.suppliers.v1``, ``catalog.locations.v1``,
``catalog.bom.v1``. Each carries batches of records plus the stream's completion marker.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from restock_contracts._base import (
    CurrencyCode,
    DecimalStr,
    PositiveDecimalStr,
    ProviderHeader,
    ProviderId,
    ProviderRecord,
)


class SkuRecord(ProviderRecord):
    """One stock-keeping unit: a Katana variant or a tracked Xero item.

    Quantities are in the stock unit of measure (``uom``); ``cost`` and ``price`` are in the
    tenant's base currency. ``variant_id`` is the stable key (SKU codes can be renamed).
    """

    product_id: ProviderId | None = Field(
        description="Katana product or material id; None for Xero (items have no parent)."
    )
    variant_id: ProviderId = Field(description="Katana variant id or Xero ItemID.")
    sku: str | None = Field(description="SKU code (Katana variant sku, Xero Item.Code).")
    name: str = Field(
        description='Product name and config attribute values joined by " / ", '
        'e.g. "T-shirt / Red / XL".'
    )
    category: str | None = None
    uom: str | None = Field(description="Stock unit of measure, e.g. 'pcs'.")
    purchase_uom: str | None = None
    purchase_uom_conversion_rate: PositiveDecimalStr | None = Field(
        default=None, description="Stock units per one purchase unit."
    )
    is_purchased: bool
    is_manufactured: bool
    is_sold: bool
    cost: DecimalStr | None = Field(description="Unit cost in base currency, per stock unit.")
    price: DecimalStr | None = Field(description="Unit sales price in base currency.")
    default_supplier_id: ProviderId | None = None
    lead_time_days: int | None = Field(default=None, ge=0)
    moq: DecimalStr | None = Field(
        default=None, description="Minimum order quantity from the provider, in stock units."
    )
    discontinued: bool = Field(
        default=False, description="Archived or discontinued at the provider (still a SKU)."
    )


class SkusChanged(ProviderHeader):
    """A batch of SKU records that were created, changed or deleted at the provider.

    Published by the connectors on ``catalog.skus.v1``; unchanged SKUs are not republished.
    """

    event_type: Literal["catalog.skus_changed"] = "catalog.skus_changed"
    records: list[SkuRecord] = Field(min_length=1)


class SupplierRecord(ProviderRecord):
    """One supplier (Katana supplier, Xero contact used on purchase documents)."""

    supplier_id: ProviderId
    name: str
    currency: CurrencyCode | None = Field(description="Supplier's default currency.")
    email: str | None = None
    lead_time_days: int | None = Field(default=None, ge=0)
    archived: bool = Field(default=False, description="Xero ARCHIVED contact, still readable.")


class SuppliersChanged(ProviderHeader):
    """A batch of supplier records that were created, changed or deleted at the provider."""

    event_type: Literal["catalog.suppliers_changed"] = "catalog.suppliers_changed"
    records: list[SupplierRecord] = Field(min_length=1)


class LocationRecord(ProviderRecord):
    """One stock location. Xero has a single synthetic location per connection.

    A sales-only location has ``is_sales_only=True`` and names the purchasing location its
    demand is merged into (``purchasing_location_id``) before forecasting.
    """

    location_id: ProviderId
    name: str
    is_sales_only: bool = False
    purchasing_location_id: ProviderId | None = None
    is_primary: bool = False


class LocationsChanged(ProviderHeader):
    """A batch of location records that were created, changed or deleted at the provider."""

    event_type: Literal["catalog.locations_changed"] = "catalog.locations_changed"
    records: list[LocationRecord] = Field(min_length=1)


class BomRowRecord(ProviderRecord):
    """One bill-of-materials row: ``quantity_per`` component units per one parent unit."""

    bom_row_id: ProviderId
    parent_variant_id: ProviderId
    component_variant_id: ProviderId
    quantity_per: DecimalStr = Field(ge=0)


class BomRowsChanged(ProviderHeader):
    """A batch of BOM rows that were created, changed or deleted (Katana only)."""

    event_type: Literal["catalog.bom_rows_changed"] = "catalog.bom_rows_changed"
    records: list[BomRowRecord] = Field(min_length=1)
