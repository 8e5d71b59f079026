"""Inventory payloads, v1: stock levels and stock movements read from a provider.

Topics: ``inventory.stock-levels.v1`` and ``inventory.movements.v1``. Quantities are in
the stock unit of measure, money in the tenant's base currency.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from restock_contracts._base import (
    DecimalStr,
    Instant,
    ProviderHeader,
    ProviderId,
    ProviderRecord,
)


class StockLevelRecord(ProviderRecord):
    """Stock of one variant at one location as the provider reported it at ``as_of``.

    ``on_hand`` is Katana ``quantity_in_stock`` / Xero ``QuantityOnHand``; ``committed`` is
    Katana ``quantity_committed`` (0 for Xero); ``expected`` is the provider's own incoming
    figure (Katana ``quantity_expected``; None for Xero). Restock computes on-order from
    purchase order lines itself; ``expected`` is for reconciliation. Consumers keep the
    record with the newest ``as_of``.
    """

    variant_id: ProviderId
    location_id: ProviderId
    on_hand: DecimalStr
    committed: DecimalStr
    expected: DecimalStr | None = None
    average_cost: DecimalStr | None = Field(
        default=None, description="Average unit cost in base currency."
    )
    as_of: Instant


class StockLevelsChanged(ProviderHeader):
    """A batch of stock levels that changed since the connector's last snapshot."""

    event_type: Literal["inventory.stock_levels_changed"] = "inventory.stock_levels_changed"
    records: list[StockLevelRecord] = Field(min_length=1)


MovementCause = Literal[
    "purchase",
    "sale",
    "production",
    "consumption",
    "adjustment",
    "transfer",
    "system",
    "other",
]
"""Normalised cause of a stock movement (the provider's own type is in ``resource_type``)."""


class StockMovementRecord(ProviderRecord):
    """One stock movement (Katana ``inventory_movements``; Xero has no movement history).

    ``balance_after`` lets consumers reconstruct the stock path and past stock-outs.
    Katana mapping of ``cause``: PurchaseOrderRow/PurchaseOrderRecipeRow -> purchase,
    SalesOrderRow -> sale, ManufacturingOrder -> production, ManufacturingOrderRecipeRow ->
    consumption, StockAdjustmentRow -> adjustment, StockTransferRow -> transfer,
    SystemGenerated -> system.
    """

    movement_id: ProviderId
    variant_id: ProviderId
    location_id: ProviderId
    movement_date: Instant
    quantity_change: DecimalStr
    balance_after: DecimalStr
    cause: MovementCause
    resource_type: str | None = Field(description="Provider's resource type, verbatim.")
    resource_id: ProviderId | None = None
    caused_by_order_no: str | None = None


class StockMovementsChanged(ProviderHeader):
    """A batch of stock movements that were recorded, changed or deleted at the provider."""

    event_type: Literal["inventory.stock_movements_changed"] = "inventory.stock_movements_changed"
    records: list[StockMovementRecord] = Field(min_length=1)
