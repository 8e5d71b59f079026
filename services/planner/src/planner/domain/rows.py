"""The planning rows: SKU × purchasing location, with stock rolled up and BOM demand added.

Sales-only locations roll up into their purchasing location (architecture §4) through
``restock_policy.roll_up_locations``; manufactured parents explode their forecast into
component demand through ``restock_policy.explode_bom`` (multi-level, per location).
Exploded quantiles are added as if parent and component demand were comonotone, which
errs on the side of more safety stock.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from planner.domain.snapshot import Forecast, Key, Snapshot
from restock_forecasting.grid import HORIZON_DAYS, QUANTILE_HORIZONS_DAYS, QUANTILE_LEVELS
from restock_policy import explode_bom, roll_up_locations

HZ = np.asarray(QUANTILE_HORIZONS_DAYS, dtype=np.float64)
LV = np.asarray(QUANTILE_LEVELS, dtype=np.float64)
TAIL_DAYS = 28


@dataclass
class Rows:
    """Planning rows (n) and their stock, on-order and demand arrays."""

    keys: list[Key]
    rolled_up: list[list[str]]
    on_hand: NDArray[np.float64]
    committed: NDArray[np.float64]
    on_order: NDArray[np.float64]
    provisional: NDArray[np.float64]
    mean_daily: NDArray[np.float64]
    cum_quantiles: NDArray[np.float64]
    has_forecast: NDArray[np.bool_]
    demand_class: list[str]
    dependent_daily: NDArray[np.float64]


def purchasing_location(snapshot: Snapshot, location_id: str) -> str:
    """The location that buys for ``location_id`` (itself unless sales-only)."""
    loc = snapshot.locations.get(location_id)
    if loc is not None and loc.is_sales_only and loc.purchasing_location_id:
        return loc.purchasing_location_id
    return location_id


def align_forecast(fc: Forecast, today: np.datetime64) -> tuple[np.ndarray, np.ndarray]:
    """Mean path (365,) starting today and quantiles on the standard grid (G, L).

    Elapsed days since ``as_of`` are dropped from the mean path (the tail continues at the
    last 28 days' rate); a non-standard grid is interpolated onto the standard one.
    """
    path = np.asarray(fc.mean_daily, dtype=np.float64)
    shift = int(np.clip((today - np.datetime64(fc.as_of, "D")).astype(int), 0, path.size - 1))
    path = path[shift:]
    if path.size < HORIZON_DAYS:
        tail = path[-min(TAIL_DAYS, path.size) :].mean()
        path = np.concatenate([path, np.full(HORIZON_DAYS - path.size, tail)])
    q = np.asarray(fc.quantiles, dtype=np.float64)
    hz, lv = np.asarray(fc.horizons, float), np.asarray(fc.levels, float)
    if hz.shape != HZ.shape or not np.allclose(hz, HZ):
        hz0, q0 = np.concatenate([[0.0], hz]), np.vstack([np.zeros((1, q.shape[1])), q])
        q = np.stack([np.interp(HZ, hz0, q0[:, j]) for j in range(q.shape[1])], axis=1)
    if lv.shape != LV.shape or not np.allclose(lv, LV):
        q = np.stack([np.interp(LV, lv, q[i]) for i in range(q.shape[0])], axis=0)
    return path[:HORIZON_DAYS], np.maximum.accumulate(np.maximum.accumulate(q, 0), 1)


def build_rows(snapshot: Snapshot) -> Rows:
    """Collect every SKU × location with evidence, roll sales-only ones up, add BOM demand."""
    skus = snapshot.skus
    evidence: set[Key] = set()
    evidence.update(k for k in snapshot.stock if k[0] in skus)
    evidence.update(k for k in snapshot.forecasts if k[0] in skus)
    evidence.update(k for k in snapshot.on_order.synced if k[0] in skus)
    evidence.update(k for k in snapshot.on_order.provisional if k[0] in skus)
    raw = sorted(evidence | {(v, purchasing_location(snapshot, loc)) for v, loc in evidence})
    raw = _with_components(snapshot, raw)
    index = {k: i for i, k in enumerate(raw)}
    target = np.array(
        [index[(v, purchasing_location(snapshot, loc))] for v, loc in raw], dtype=np.intp
    )
    n = len(raw)
    stock = np.zeros((n, 4))
    for i, key in enumerate(raw):
        on_hand, committed = snapshot.stock.get(key, (0.0, 0.0))
        stock[i] = (
            on_hand,
            committed,
            float(snapshot.on_order.synced.get(key, 0)),
            float(snapshot.on_order.provisional.get(key, 0)),
        )
    g, lv = HZ.size, LV.size
    demand = np.zeros((n, HORIZON_DAYS + g * lv))
    has = np.zeros(n, bool)
    classes = ["none"] * n
    today = np.datetime64(snapshot.today, "D")
    for key, fc in snapshot.forecasts.items():
        at = index.get(key)
        if at is None:
            continue
        mean, q = align_forecast(fc, today)
        demand[at, :HORIZON_DAYS], demand[at, HORIZON_DAYS:] = mean, q.ravel()
        has[at], classes[at] = True, fc.demand_class
    if n:
        stock = roll_up_locations(stock, target)
        demand = roll_up_locations(demand, target)
        has = roll_up_locations(has.astype(float), target) > 0
    keep = np.flatnonzero(target == np.arange(n))
    rolled: list[list[str]] = [[] for _ in range(n)]
    for src, dst in enumerate(target.tolist()):
        if dst != src:
            rolled[dst].append(raw[src][1])
    for row in keep.tolist():
        if classes[row] == "none" and has[row]:
            classes[row] = next(
                c for j, c in enumerate(classes) if target[j] == row and c != "none"
            )
    keys = [raw[i] for i in keep]
    demand, stock, has = demand[keep], stock[keep], has[keep]
    added = _explode(snapshot, keys, demand)
    demand += added
    return Rows(
        keys=keys,
        rolled_up=[sorted(rolled[i]) for i in keep],
        on_hand=stock[:, 0],
        committed=stock[:, 1],
        on_order=stock[:, 2] + stock[:, 3],
        provisional=stock[:, 3],
        mean_daily=demand[:, :HORIZON_DAYS],
        cum_quantiles=demand[:, HORIZON_DAYS:].reshape(len(keys), g, lv),
        has_forecast=has,
        demand_class=[classes[i] for i in keep],
        dependent_daily=added[:, :HORIZON_DAYS].mean(axis=1),
    )


def _with_components(snapshot: Snapshot, raw: list[Key]) -> list[Key]:
    """Add component rows at every location where a manufactured parent is planned."""
    children: dict[str, list[str]] = {}
    for parent, child, _qty in snapshot.bom:
        if child in snapshot.skus:
            children.setdefault(parent, []).append(child)
    keys = set(raw)
    frontier = [k for k in raw if k[0] in children]
    while frontier:
        variant, loc = frontier.pop()
        sku = snapshot.skus.get(variant)
        if sku is None or not sku.is_manufactured:
            continue
        for child in children.get(variant, []):
            if (child, loc) not in keys:
                keys.add((child, loc))
                frontier.append((child, loc))
    return sorted(keys)


def _explode(snapshot: Snapshot, keys: list[Key], demand: np.ndarray) -> np.ndarray:
    """Dependent demand per row from the BOM, one sparse product per level."""
    index = {k: i for i, k in enumerate(keys)}
    by_parent: dict[str, list[tuple[str, float]]] = {}
    for parent, child, qty in snapshot.bom:
        by_parent.setdefault(parent, []).append((child, qty))
    parents, children, qtys = [], [], []
    for (variant, loc), i in index.items():
        for child, qty in by_parent.get(variant, []):
            j = index.get((child, loc))
            if j is not None:
                parents.append(i)
                children.append(j)
                qtys.append(qty)
    if not parents:
        return np.zeros_like(demand)
    make = np.array([snapshot.skus[v].is_manufactured for v, _ in keys])
    return explode_bom(demand, np.array(parents), np.array(children), np.array(qtys), make)
