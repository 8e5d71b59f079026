"""Deterministic demo data generator for Restock (Katana- and Xero-shaped businesses).

``generate(DatasetSpec(seed=42, skus=200))`` returns a provider-neutral :class:`Dataset`
(see :mod:`restock_demodata.model`) with ground truth for forecaster and planner tests.
"""

from restock_demodata.generate import default_spec, generate
from restock_demodata.model import (
    Dataset,
    DatasetSpec,
    DemandClass,
    ItemKind,
    MovementKind,
    PurchaseOrderStatus,
    SalesOrderStatus,
)

__all__ = [
    "Dataset",
    "DatasetSpec",
    "DemandClass",
    "ItemKind",
    "MovementKind",
    "PurchaseOrderStatus",
    "SalesOrderStatus",
    "default_spec",
    "generate",
]
