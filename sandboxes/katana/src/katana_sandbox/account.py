"""One Katana account (API key): its tables, inventory state and event hook."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any

from katana_sandbox import serialize as ser
from katana_sandbox.config import SandboxClock
from katana_sandbox.serialize import JSON, dec, iso
from katana_sandbox.store import Filter, Table
from restock_demodata.model import Dataset

Emit = Callable[["Account", str, str, Any, str | None, str | None], None]


def _f(kind: str, **names: str) -> dict[str, Filter]:
    return {param: Filter(fld, kind) for param, fld in names.items()}


def _same(kind: str, *names: str) -> dict[str, Filter]:
    return {n: Filter(n, kind) for n in names}


@dataclass
class Stock:
    """Inventory state of one variant x location (stock UoM)."""

    in_stock: float
    committed: float
    expected: float
    safety: float
    average_cost: float


class Account:
    """A Katana account seeded from a dataset. ``emit(account, resource_type, action,
    id, status, href_path)`` is called for every webhook-worthy change."""

    def __init__(self, api_key: str, ds: Dataset, clock: SandboxClock, emit: Emit) -> None:
        self.api_key = api_key
        self.dataset = ds
        self.clock = clock
        self._emit = emit
        products, materials, variants = ser.catalog(ds)
        locs, sups, cus, taxes = ser.parties(ds)
        boms = ser.bom_rows(ds)
        bools = ("is_sellable", "batch_tracked", "serial_tracked")
        self.products = Table(
            "products",
            lambda: products,
            {
                **_same("str", "name", "uom", "category_name"),
                **_same("bool", *bools, "is_producible", "is_purchasable", "is_auto_assembly"),
                **_same("int", "default_supplier_id"),
            },
        )
        self.materials = Table(
            "materials",
            lambda: materials,
            {
                **_same("str", "name", "uom"),
                **_same("bool", *bools),
                **_same("int", "default_supplier_id"),
            },
        )
        self.variants = Table(
            "variants",
            lambda: variants,
            {
                **_same("int", "product_id", "material_id"),
                **_same("strs", "sku"),
                **_same("str", "type", "internal_barcode", "registered_barcode"),
            },
        )
        self.locations = Table(
            "locations",
            lambda: locs,
            {
                **_same("str", "name", "legal_name"),
                **_same("bool", "sales_allowed", "manufacturing_allowed"),
                **_f("bool", purchases_allowed="purchase_allowed"),
            },
        )
        self.suppliers = Table("suppliers", lambda: sups, _same("str", "name", "email", "phone"))
        self.customers = Table(
            "customers",
            lambda: cus,
            _same(
                "str",
                "name",
                "first_name",
                "last_name",
                "company",
                "email",
                "phone",
                "currency",
                "reference_id",
                "category",
            ),
        )
        self.tax_rates = Table(
            "tax_rates",
            lambda: taxes,
            {**_same("str", "name"), **_same("bool", "is_default_sales", "is_default_purchases")},
            soft_delete=False,
        )
        self.bom_rows = Table(
            "bom_rows",
            lambda: boms,
            _same("int", "product_item_id", "product_variant_id", "ingredient_variant_id"),
            soft_delete=False,
        )
        self.recipes = Table(
            "recipes",
            self._recipes,
            {
                **_f("ints", product_variant_ids="product_variant_id"),
                **_same("int", "product_id", "ingredient_variant_id"),
            },
            soft_delete=False,
        )
        self.sales_orders = Table(
            "sales_orders",
            lambda: ser.sales_orders(ds),
            {
                **_same(
                    "str",
                    "order_no",
                    "source",
                    "status",
                    "currency",
                    "invoicing_status",
                    "product_availability",
                    "ingredient_availability",
                    "production_status",
                ),
                **_same("int", "customer_id", "location_id"),
            },
        )
        self.sales_order_rows = Table(
            "sales_order_rows",
            self._so_rows,
            {
                **_f("ints", sales_order_ids="sales_order_id"),
                **_same("int", "variant_id", "location_id", "tax_rate_id"),
                **_same("str", "product_availability"),
            },
        )
        self.purchase_orders = Table(
            "purchase_orders",
            lambda: ser.purchase_orders(ds),
            {
                **_same(
                    "str",
                    "order_no",
                    "status",
                    "entity_type",
                    "billing_status",
                    "last_document_status",
                    "currency",
                ),
                **_same("int", "supplier_id", "location_id", "tracking_location_id"),
            },
        )
        self.purchase_order_rows = Table(
            "purchase_order_rows",
            self._po_rows,
            {
                **_same(
                    "int",
                    "purchase_order_id",
                    "variant_id",
                    "tax_rate_id",
                    "group_id",
                    "location_id",
                ),
                **_same("str", "purchase_uom"),
            },
        )
        self.inventory_movements = Table(
            "inventory_movements",
            lambda: ser.movements(ds),
            {
                **_f("ints", variant_ids="variant_id"),
                **_same("int", "location_id", "resource_id"),
                **_same("str", "resource_type", "caused_by_order_no"),
            },
            soft_delete=False,
        )
        self.webhooks = Table("webhooks", lambda: [], soft_delete=False, date_filters=False)
        self.inventory = Table(
            "inventory",
            self.inventory_rows,
            {
                "location_id": Filter("location_id", "int"),
                "variant_id": Filter("variant_id", "ints"),
                "variant_ids": Filter("variant_id", "ints"),
            },
            soft_delete=False,
            date_filters=False,
            newest_first=False,
            volatile=True,
            keyed=False,
        )
        sl = ds.stock_levels
        self.stock: dict[tuple[int, int], Stock] = {
            (v, loc): Stock(q, c, e, s, a)
            for v, loc, q, c, e, s, a in zip(
                sl.variant_id.tolist(),
                sl.location_id.tolist(),
                sl.on_hand.tolist(),
                sl.committed.tolist(),
                sl.expected.tolist(),
                sl.safety_stock.tolist(),
                sl.average_cost.tolist(),
                strict=True,
            )
        }
        self.factory: JSON = {
            "name": ds.company_name,
            "display_name": ds.company_name,
            "legal_name": ds.company_name,
            "address": None,
            "base_currency_code": ds.base_currency,
            "currency": ds.base_currency,
            "timezone": ds.time_zone,
            "default_so_delivery_time": iso(ds.now),
            "default_po_lead_time": iso(ds.now),
            "default_manufacturing_location_id": 1,
            "default_purchases_location_id": 1,
            "default_sales_location_id": 2 if len(ds.locations) > 1 else 1,
            "inventory_closing_date": iso(datetime.combine(ds.start_date, time(), UTC)),
        }

    def tables(self) -> dict[str, Table]:
        """Tables by their URL name."""
        return {t.name: t for t in vars(self).values() if isinstance(t, Table)}

    def warm(self) -> None:
        """Materialise every table and its list order now (a 10,000-SKU account takes
        tens of seconds), so the first list request is not the one that pays for it."""
        for t in self.tables().values():
            t.index.ordered(t.rows, t.newest_first)

    def touch(self) -> None:
        """Data may have changed: every table drops its list index and query cache."""
        for t in self.tables().values():
            t.invalidate()

    def _so_rows(self) -> list[JSON]:
        return [r for so in self.sales_orders.rows.values() for r in so["sales_order_rows"]]

    def _po_rows(self) -> list[JSON]:
        return [r for po in self.purchase_orders.rows.values() for r in po["purchase_order_rows"]]

    def _recipes(self) -> list[JSON]:
        return [
            {
                "id": b["id"],
                "recipe_row_id": b["id"],
                "product_id": b["product_item_id"],
                "product_item_id": b["product_item_id"],
                "product_variant_id": b["product_variant_id"],
                "ingredient_variant_id": b["ingredient_variant_id"],
                "quantity": b["quantity"],
                "notes": b["notes"],
                "rank": b["rank"],
                "created_at": b["created_at"],
                "updated_at": b["updated_at"],
            }
            for b in self.bom_rows.rows.values()
        ]

    def now(self) -> str:
        """Sandbox time as a Katana timestamp string."""
        return str(iso(self.clock.now()))

    def emit(
        self,
        resource: str,
        action: str,
        obj_id: Any,
        status: str | None = None,
        path: str | None = None,
    ) -> None:
        """Queue a webhook event ``resource.action`` (``path`` like ``products/1``)."""
        self._emit(self, resource, f"{resource}.{action}", obj_id, status, path)

    def inventory_rows(self) -> list[JSON]:
        """Current inventory as Katana JSON (decimal strings), oldest location first."""
        out = []
        for (vid, lid), s in sorted(self.stock.items(), key=lambda kv: (kv[0][1], kv[0][0])):
            out.append(
                {
                    "variant_id": vid,
                    "location_id": lid,
                    "safety_stock_level": dec(s.safety),
                    "reorder_point": dec(s.safety),
                    "average_cost": dec(s.average_cost),
                    "value_in_stock": dec(s.in_stock * s.average_cost),
                    "quantity_in_stock": dec(s.in_stock),
                    "quantity_committed": dec(s.committed),
                    "quantity_expected": dec(s.expected),
                    "quantity_missing_or_excess": dec(
                        s.in_stock - s.committed + s.expected - s.safety
                    ),
                    "quantity_potential": dec(0.0),
                    "archived_at": None,
                }
            )
        return out

    def stock_for(self, variant_id: int, location_id: int) -> Stock:
        """Stock state, created on first use for a new variant/location pair."""
        key = (variant_id, location_id)
        if key not in self.stock:
            v = self.variants.get(variant_id)
            cost = float((v or {}).get("purchase_price") or 0.0)
            self.stock[key] = Stock(0.0, 0.0, 0.0, 0.0, cost)
        return self.stock[key]

    def move_stock(
        self,
        variant_id: int,
        location_id: int,
        qty: float,
        resource_type: str,
        resource_id: int,
        order_no: str,
        order_id: int,
        at: str,
    ) -> JSON:
        """Change on-hand stock and append the inventory movement."""
        s = self.stock_for(variant_id, location_id)
        s.in_stock = round(s.in_stock + qty, 6)
        mid = self.inventory_movements.new_id()
        mv = {
            "id": mid,
            "variant_id": variant_id,
            "location_id": location_id,
            "resource_type": resource_type,
            "resource_id": resource_id,
            "caused_by_order_no": order_no,
            "caused_by_resource_id": order_id,
            "movement_date": at,
            "quantity_change": qty,
            "balance_after": s.in_stock,
            "value_per_unit": s.average_cost,
            "value_in_stock_after": round(s.in_stock * s.average_cost, 4),
            "average_cost_after": s.average_cost,
            "rank": mid,
            "created_at": at,
            "updated_at": at,
        }
        self.inventory_movements.add(mv)
        v = self.variants.get(variant_id, include_deleted=True)
        kind = (v or {}).get("type", "product")
        self.emit("current_inventory", f"{kind}_updated", variant_id, None, None)
        if s.in_stock <= 0:
            self.emit("current_inventory", f"{kind}_out_of_stock", variant_id, None, None)
        return mv
