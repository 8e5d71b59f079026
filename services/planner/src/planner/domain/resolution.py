"""Effective settings per planning row: precedence levels → values and sources.

Levels per key (first set wins): product override (a location-specific override beats
an all-locations one) > provider (SKU lead time and MOQ) > learned from ≥ 3 receipts
(lead time mean and std) > supplier (user setting, else the supplier's provider lead
time) > global > default.

The supplier itself comes first (it picks the supplier-level settings): product setting
``supplier_id`` (location-specific beats all-locations) > the provider's default supplier
> the supplier of the SKU's most recent purchase order > none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from planner.domain.settings import (
    KEYS,
    SOURCES,
    SPEC,
    SUPPLIER_KEY,
    default_po_status,
    encode,
    resolve,
)
from planner.domain.snapshot import Key, Receipt, Snapshot
from restock_policy import learn_lead_times

FloatArr = NDArray[np.float64]


@dataclass
class Effective:
    """Resolved settings: per key values (n,) as float codes and source codes (n,)."""

    values: dict[str, FloatArr]
    sources: dict[str, NDArray[np.int8]]
    learned_mean: FloatArr
    learned_std: FloatArr
    receipts: NDArray[np.int64]
    supplier_ids: list[str | None]
    supplier_sources: list[str]


def learned_lead_times(
    receipts: list[Receipt],
) -> dict[str, tuple[float, float, int]]:
    """Learned (mean, std, receipts) per "variant|supplier" and per "variant|*"."""
    if not receipts:
        return {}
    keys = [f"{r.variant_id}|{r.supplier_id or ''}" for r in receipts]
    keys += [f"{r.variant_id}|*" for r in receipts]
    order = np.array([r.order_date for r in receipts] * 2, dtype="datetime64[D]")
    recv = np.array([r.received_date for r in receipts] * 2, dtype="datetime64[D]")
    learned = learn_lead_times(np.array(keys), order, recv)
    return {
        str(k): (float(m), float(s), int(c))
        for k, m, s, c in zip(
            learned.keys, learned.mean_days, learned.std_days, learned.receipts, strict=True
        )
    }


def effective_suppliers(snapshot: Snapshot, keys: list[Key]) -> tuple[list[str | None], list[str]]:
    """Supplier and its source per row: "product_override" (the product's ``supplier_id``
    setting), "provider" (default supplier), "last_purchase_order" or "none"."""
    ids: list[str | None] = []
    sources: list[str] = []
    settings = snapshot.product_settings
    for variant, loc in keys:
        chosen = settings.get((variant, loc), {}).get(SUPPLIER_KEY) or settings.get(
            (variant, ""), {}
        ).get(SUPPLIER_KEY)
        source = "product_override"
        if not chosen:
            chosen, source = snapshot.skus[variant].default_supplier_id, "provider"
        if not chosen:
            chosen, source = snapshot.last_po_supplier.get(variant), "last_purchase_order"
        ids.append(chosen or None)
        sources.append(source if chosen else "none")
    return ids, sources


def _level(n: int) -> dict[str, FloatArr]:
    return {key: np.full(n, np.nan) for key in KEYS}


def _fill(level: dict[str, FloatArr], rows: list[int], values: dict[str, Any]) -> None:
    for key, value in values.items():
        if key in level and value is not None:
            level[key][rows] = encode(key, value)


def effective_settings(snapshot: Snapshot, keys: list[Key]) -> Effective:
    """Resolve every setting for the planning rows ``keys``."""
    n = len(keys)
    skus = snapshot.skus
    by_variant: dict[str, list[int]] = {}
    by_key = {k: i for i, k in enumerate(keys)}
    for i, (variant, _loc) in enumerate(keys):
        by_variant.setdefault(variant, []).append(i)
    product = _level(n)
    for (variant, loc), values in sorted(snapshot.product_settings.items(), key=lambda x: x[0][1]):
        rows = by_variant.get(variant, []) if loc == "" else [by_key.get((variant, loc), -1)]
        _fill(product, [r for r in rows if r >= 0], values)
    provider = _level(n)
    supplier_ids, supplier_sources = effective_suppliers(snapshot, keys)
    provider["lead_time_days"] = np.array(
        [_num(skus[v].lead_time_days) for v, _ in keys], dtype=np.float64
    )
    provider["moq"] = np.array([_num(skus[v].moq) for v, _ in keys], dtype=np.float64)
    learned_map = learned_lead_times(snapshot.receipts)
    stats = np.full((n, 3), np.nan)
    for i, (variant, _loc) in enumerate(keys):
        hit = learned_map.get(f"{variant}|{supplier_ids[i] or ''}")
        if hit is None or not np.isfinite(hit[0]):
            hit = learned_map.get(f"{variant}|*")
        if hit is not None:
            stats[i] = hit
    learned = _level(n)
    learned["lead_time_days"], learned["lead_time_std_days"] = stats[:, 0], stats[:, 1]
    supplier = _level(n)
    by_supplier: dict[str, list[int]] = {}
    for i, sid in enumerate(supplier_ids):
        if sid:
            by_supplier.setdefault(sid, []).append(i)
    for sid, rows in by_supplier.items():
        sup = snapshot.suppliers.get(sid)
        if sup is not None and sup.lead_time_days is not None:
            supplier["lead_time_days"][rows] = float(sup.lead_time_days)
        _fill(supplier, rows, snapshot.supplier_settings.get(sid, {}))
    glob = _level(n)
    _fill(glob, list(range(n)), snapshot.global_settings)
    default = _level(n)
    for key in KEYS:
        base = SPEC[key].default
        if key == "po_status_on_create":
            base = default_po_status(snapshot.primary_source)
        default[key][:] = encode(key, base)
    values, sources = {}, {}
    for key in KEYS:
        levels = [
            ("product_override", product[key]),
            ("provider", provider[key]),
            ("learned", learned[key]),
            ("supplier", supplier[key]),
            ("global", glob[key]),
            ("default", default[key]),
        ]
        values[key], sources[key] = resolve(levels)
    return Effective(
        values,
        sources,
        stats[:, 0],
        stats[:, 1],
        np.nan_to_num(stats[:, 2]).astype(np.int64),
        supplier_ids,
        supplier_sources,
    )


def _num(value: float | None) -> float:
    return float("nan") if value is None else float(value)


SOURCE_NAMES = np.asarray(SOURCES)
