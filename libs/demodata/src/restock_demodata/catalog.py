"""Master data: categories, taxes, FX, locations, parties, items, variants and BOMs."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np

from restock_demodata.model import (
    BomLine,
    Category,
    Customer,
    DatasetSpec,
    FxRates,
    Item,
    ItemConfig,
    ItemKind,
    Location,
    Supplier,
    TaxRate,
    Variant,
)

CATEGORIES = ("Tents", "Backpacks", "Apparel", "Footwear", "Cooking", "Lighting", "Climbing")
MATERIAL_CATEGORIES = ("Fabrics", "Hardware", "Packaging", "Components")
NOUNS = ("Tent", "Pack", "Jacket", "Boot", "Stove", "Lamp", "Harness", "Bag", "Shell", "Mat")
ADJ = ("Alpine", "Summit", "Trail", "Ridge", "Coastal", "Storm", "Glacier", "Fern", "Kea", "Tui")
MATERIALS = ("Nylon", "Polyester", "Aluminium", "Zip", "Buckle", "Foam", "Thread", "Box", "Cord")
SIZES = ("S", "M", "L", "XL")
COLOURS = ("Red", "Blue", "Green", "Black")
FOREIGN = ("USD", "AUD", "EUR", "CNY")
FX_BASE = {"USD": 1.68, "AUD": 1.09, "EUR": 1.82, "CNY": 0.235}
CITIES = ("Auckland", "Wellington", "Christchurch", "Hamilton", "Dunedin")
FIRST = ("Aroha", "Ben", "Chloe", "Dev", "Ella", "Finn", "Grace", "Hemi", "Isla", "Jack")
LAST = ("Smith", "Ngata", "Brown", "Wilson", "Taylor", "Patel", "Chen", "Walker", "King")


@dataclass(frozen=True, slots=True)
class Catalog:
    """Master data plus per-variant arrays (shape (n_variants,)) used by the simulator.

    ``role``: 0 purchased product, 1 manufactured sellable product, 2 sub-assembly,
    3 material. ``conversion`` = stock units per purchase unit.
    """

    categories: tuple[Category, ...]
    tax_rates: tuple[TaxRate, ...]
    fx: FxRates
    locations: tuple[Location, ...]
    suppliers: tuple[Supplier, ...]
    customers: tuple[Customer, ...]
    items: tuple[Item, ...]
    variants: tuple[Variant, ...]
    bom_lines: tuple[BomLine, ...]
    role: np.ndarray
    supplier_idx: np.ndarray
    conversion: np.ndarray
    unit_cost: np.ndarray
    sales_price: np.ndarray
    lt_mean: np.ndarray
    lt_sd: np.ndarray
    moq: np.ndarray


def _fx(spec: DatasetSpec, rng: np.random.Generator, start: date) -> FxRates:
    first = np.datetime64(date(start.year, start.month, 1), "M")
    last = np.datetime64(spec.end_date, "M")
    months = np.arange(first, last + 1).astype("datetime64[D]")
    ccys = tuple(c for c in FOREIGN if c != spec.base_currency)
    base = np.array([FX_BASE[c] for c in ccys])
    steps = rng.normal(0.0, 0.02, size=(len(ccys), months.shape[0]))
    rates = base[:, None] * np.exp(np.cumsum(steps, axis=1))
    return FxRates(currencies=ccys, months=months, rates=np.round(rates, 6))


def _locations(n: int) -> tuple[Location, ...]:
    out = []
    for i in range(n):
        store = i == 1
        name = "Main Warehouse" if i == 0 else "Retail Store" if store else f"Warehouse {i}"
        out.append(
            Location(
                id=i + 1,
                name=name,
                legal_name=f"{name} Ltd",
                is_primary=i == 0,
                sales_allowed=True,
                purchase_allowed=not store,
                manufacturing_allowed=i == 0,
                line_1=f"{10 + i} Harbour Road",
                city=CITIES[i % len(CITIES)],
                zip=f"{1010 + i}",
                country="NZ",
            )
        )
    return tuple(out)


def _parties(
    spec: DatasetSpec, rng: np.random.Generator, start_dt: datetime
) -> tuple[tuple[Supplier, ...], tuple[Customer, ...]]:
    n_sup = max(4, spec.skus // 25)
    foreign = tuple(c for c in FOREIGN if c != spec.base_currency)
    sups = []
    for i in range(n_sup):
        ccy = spec.base_currency if i % 3 == 0 else foreign[i % len(foreign)]
        sups.append(
            Supplier(
                id=i + 1,
                name=f"{ADJ[i % len(ADJ)]} {MATERIALS[i % len(MATERIALS)]} Supply {i + 1}",
                email=f"orders{i + 1}@supplier{i + 1}.example",
                phone=f"+64 9 555 {1000 + i}",
                currency=ccy,
                country="NZ" if ccy == spec.base_currency else ccy[:2],
                default_lead_time_days=int(rng.choice([7, 10, 14, 21, 30, 45, 60])),
                created_at=start_dt - timedelta(days=int(rng.integers(30, 400))),
            )
        )
    n_cus = max(10, spec.skus // 5)
    cus = []
    for i in range(n_cus):
        fn, ln = FIRST[i % len(FIRST)], LAST[(i * 7) % len(LAST)]
        business = i % 3 != 0
        company = f"{ln} {ADJ[i % len(ADJ)]} Outfitters" if business else ""
        cus.append(
            Customer(
                id=i + 1,
                name=company or f"{fn} {ln}",
                first_name=fn,
                last_name=ln,
                company=company,
                email=f"{fn.lower()}.{ln.lower()}{i}@customer.example",
                phone=f"+64 21 555 {2000 + i}",
                currency="AUD" if i % 10 == 9 else spec.base_currency,
                category="Wholesale" if business else "Retail",
                created_at=start_dt - timedelta(days=int(rng.integers(1, 500))),
            )
        )
    return tuple(sups), tuple(cus)


def roles(n: int) -> np.ndarray:
    """Variant roles, shape (n,): 0 purchased product, 1 manufactured product,
    2 sub-assembly, 3 material (needs n >= 5)."""
    n_mat = max(2, round(n * 0.25))
    n_sub = max(1, round(n * 0.05))
    n_mfg = max(1, round(n * 0.15))
    n_buy = n - n_mat - n_sub - n_mfg
    return np.repeat(np.arange(4), [n_buy, n_mfg, n_sub, n_mat]).astype(np.int64)


def build_catalog(
    spec: DatasetSpec,
    rng: np.random.Generator,
    start: date,
    start_dt: datetime,
    created: np.ndarray,
    discontinued: np.ndarray,
) -> Catalog:
    """Build master data. ``created``/``discontinued`` are per-variant datetimes
    (object arrays, shape (skus,); discontinued may hold None)."""
    n = spec.skus
    locations = _locations(max(1, spec.locations))
    suppliers, customers = _parties(spec, rng, start_dt)
    role = roles(n)
    sup_idx = rng.integers(0, len(suppliers), size=n)
    sup_idx[(role == 1) | (role == 2)] = -1
    conversion = np.where(rng.random(n) < 0.3, rng.choice([6.0, 12.0, 24.0], size=n), 1.0)
    conversion[role == 3] = np.where(rng.random(int((role == 3).sum())) < 0.5, 25.0, 1.0)
    conversion[(role == 1) | (role == 2)] = 1.0
    unit_cost = np.round(np.exp(rng.normal(3.0, 0.8, size=n)), 2)
    unit_cost[role == 3] = np.round(unit_cost[role == 3] / 8.0 + 0.2, 2)
    sales_price = np.round(unit_cost * rng.uniform(1.6, 2.6, size=n), 2)
    sup_lt = np.array([s.default_lead_time_days for s in suppliers], dtype=np.float64)
    lt_mean = np.where(sup_idx >= 0, sup_lt[np.maximum(sup_idx, 0)], 4.0)
    lt_mean = np.round(lt_mean * rng.uniform(0.8, 1.3, size=n), 1)
    lt_sd = np.round(lt_mean * rng.uniform(0.05, 0.35, size=n), 2)
    moq = np.where(rng.random(n) < 0.4, rng.choice([2.0, 5.0, 10.0], size=n), 1.0)

    categories = tuple(
        Category(id=i + 1, name=c) for i, c in enumerate(CATEGORIES + MATERIAL_CATEGORIES)
    )
    taxes = (
        TaxRate(1, "GST 15%", 15.0, True, True),
        TaxRate(2, "Zero rated", 0.0, False, False),
        TaxRate(3, "GST on imports", 15.0, False, False),
    )
    items: list[Item] = []
    variants: list[Variant] = []
    i = 0
    while i < n:
        r = int(role[i])
        group = int(min(n - i, rng.integers(1, 5) if r in (0, 1) else 1))
        while group > 1 and role[i + group - 1] != r:
            group -= 1
        item_id = len(items) + 1
        kind = ItemKind.MATERIAL if r == 3 else ItemKind.PRODUCT
        if kind is ItemKind.MATERIAL:
            name = f"{MATERIALS[item_id % len(MATERIALS)]} {item_id}"
            cat = len(CATEGORIES) + 1 + item_id % len(MATERIAL_CATEGORIES)
        else:
            prefix = "Sub-assembly" if r == 2 else ADJ[item_id % len(ADJ)]
            name = f"{prefix} {NOUNS[item_id % len(NOUNS)]} {item_id}"
            cat = 1 + item_id % len(CATEGORIES)
        attr_name, values = ("Size", SIZES) if item_id % 2 else ("Colour", COLOURS)
        configs = (ItemConfig(attr_name, values[:group]),) if group > 1 else ()
        uom = "kg" if r == 3 and conversion[i] == 25.0 else "pcs"
        purchase_uom = {6.0: "box6", 12.0: "box12", 24.0: "ctn24", 25.0: "bag25"}.get(
            float(conversion[i]), uom
        )
        disc = discontinued[i : i + group]
        items.append(
            Item(
                id=item_id,
                kind=kind,
                name=name,
                category_id=cat,
                uom=uom,
                purchase_uom=purchase_uom,
                purchase_uom_conversion_rate=float(conversion[i]),
                is_sellable=r in (0, 1),
                is_producible=r in (1, 2),
                is_purchasable=r in (0, 3),
                default_supplier_id=int(sup_idx[i]) + 1 if sup_idx[i] >= 0 else None,
                configs=configs,
                created_at=min(created[i : i + group]),
                discontinued_at=disc[0] if all(d is not None for d in disc) else None,
            )
        )
        for k in range(group):
            j = i + k
            conversion[j] = conversion[i]
            sup_idx[j] = sup_idx[i]
            attrs = ((attr_name, values[k]),) if group > 1 else ()
            sup = suppliers[sup_idx[j]] if sup_idx[j] >= 0 else None
            fx = 1.0 if sup is None else FX_BASE.get(sup.currency, 1.0)
            code = "MAT" if r == 3 else "SUB" if r == 2 else "MFG" if r == 1 else "BUY"
            variants.append(
                Variant(
                    id=j + 1,
                    item_id=item_id,
                    kind=kind,
                    sku=f"{code}-{item_id:05d}" + (f"-{values[k]}" if group > 1 else ""),
                    name=name + (f" / {values[k]}" if group > 1 else ""),
                    config_attributes=attrs,
                    sales_price=float(sales_price[j]) if r in (0, 1) else None,
                    purchase_price=(
                        round(float(unit_cost[j] * conversion[j] / fx), 4) if sup else None
                    ),
                    unit_cost=float(unit_cost[j]),
                    supplier_id=sup.id if sup else None,
                    lead_time_days=round(lt_mean[j]),
                    minimum_order_quantity=float(moq[j]) if sup else None,
                    barcode=f"94{(j + 1) * 7919 % 10**10:010d}",
                    created_at=created[j],
                )
            )
        i += group
    boms = _boms(rng, role, items, variants)
    return Catalog(
        categories,
        taxes,
        _fx(spec, rng, start),
        locations,
        suppliers,
        customers,
        tuple(items),
        tuple(variants),
        boms,
        role,
        sup_idx,
        conversion,
        unit_cost,
        sales_price,
        lt_mean,
        lt_sd,
        moq,
    )


def _boms(
    rng: np.random.Generator, role: np.ndarray, items: list[Item], variants: list[Variant]
) -> tuple[BomLine, ...]:
    """Two-level BOMs: manufactured products use sub-assemblies and materials;
    sub-assemblies use materials only."""
    mats = np.flatnonzero(role == 3)
    subs = np.flatnonzero(role == 2)
    lines: list[BomLine] = []
    for j in np.flatnonzero((role == 1) | (role == 2)):
        n_ing = int(rng.integers(2, 5))
        ings = list(rng.choice(mats, size=min(n_ing, mats.size), replace=False))
        if role[j] == 1 and subs.size and rng.random() < 0.6:
            ings.append(int(rng.choice(subs)))
        v = variants[j]
        for rank, g in enumerate(ings):
            qty = float(rng.choice([1.0, 2.0, 0.5, 3.0])) if role[g] == 3 else 1.0
            lines.append(
                BomLine(
                    id=str(uuid.UUID(int=int(rng.integers(0, 2**63)) << 64 | len(lines))),
                    product_item_id=v.item_id,
                    product_variant_id=v.id,
                    ingredient_variant_id=int(g) + 1,
                    quantity=qty,
                    rank=rank + 1,
                )
            )
    return tuple(lines)
