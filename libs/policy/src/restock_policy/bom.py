"""Multi-level BOM explosion and sales-only location roll-up (vectorised, scipy.sparse)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import sparse
from scipy.sparse.csgraph import connected_components

FloatArr = NDArray[np.float64]


class BomCycleError(ValueError):
    """The BOM graph contains a cycle; ``items`` lists the item indices on cycles."""

    def __init__(self, items: list[int]) -> None:
        """Record the offending item indices."""
        self.items = items
        super().__init__(f"BOM contains a cycle through items {items}")


def _check_acyclic(n_items: int, parent: NDArray[np.intp], child: NDArray[np.intp]) -> None:
    """Raise :class:`BomCycleError` on self-loops or strongly connected groups > 1 item."""
    self_loops = np.unique(parent[parent == child])
    g = sparse.csr_matrix((np.ones(parent.size), (parent, child)), shape=(n_items, n_items))
    _, labels = connected_components(g, directed=True, connection="strong")
    sizes = np.bincount(labels)
    on_cycle = np.flatnonzero(sizes[labels] > 1)
    bad = np.union1d(self_loops, on_cycle)
    if bad.size:
        raise BomCycleError(bad.tolist())


def explode_bom(
    parent_demand: ArrayLike,
    parent_idx: ArrayLike,
    child_idx: ArrayLike,
    qty_per: ArrayLike,
    make_flags: ArrayLike,
) -> FloatArr:
    """Dependent (component) demand added by exploding make items through a multi-level BOM.

    parent_demand: float64 (n_items, H) independent demand per item and period;
    parent_idx, child_idx: int (m,) BOM edges (parent uses qty_per[e] of child per unit);
    qty_per: float64 (m,); make_flags: bool (n_items,) — only manufactured parents explode
    (a bought assembly does not create component demand).

    Returns float64 (n_items, H): the demand to ADD to each item; total demand is
    ``parent_demand + result``. Multi-level: a make sub-assembly explodes its own
    independent plus dependent demand. Computed level by level as d_0 = D,
    d_{k+1} = A d_k (A[child, parent] = qty_per for make parents), added = sum_{k>=1} d_k,
    one sparse product per BOM level; zero lead-time offset (same period).
    Raises :class:`BomCycleError` (a ValueError) if the edges contain a cycle.
    """
    demand = np.asarray(parent_demand, dtype=np.float64)
    if demand.ndim == 1:
        demand = demand[:, None]
    n_items = demand.shape[0]
    parent = np.asarray(parent_idx, dtype=np.intp)
    child = np.asarray(child_idx, dtype=np.intp)
    qty = np.asarray(qty_per, dtype=np.float64)
    make = np.broadcast_to(np.asarray(make_flags, dtype=bool), (n_items,))
    if not (parent.shape == child.shape == qty.shape):
        raise ValueError("parent_idx, child_idx and qty_per must have the same length")
    if parent.size and (
        min(parent.min(), child.min()) < 0 or max(parent.max(), child.max()) >= n_items
    ):
        raise ValueError("BOM edge index out of range")
    if np.any(qty < 0) or np.any(~np.isfinite(qty)):
        raise ValueError("qty_per must be finite and non-negative")
    _check_acyclic(n_items, parent, child)
    active = make[parent]
    a = sparse.csr_matrix((qty[active], (child[active], parent[active])), shape=(n_items, n_items))
    added = np.zeros_like(demand)
    level = demand
    for _ in range(n_items):
        level = a @ level
        if not np.any(level):
            break
        added += level
    return np.asarray(added).reshape(np.asarray(parent_demand).shape)


def roll_up_locations(values: ArrayLike, purchasing_row: ArrayLike) -> FloatArr:
    """Sum sales-only rows into their purchasing row (on hand, on order, committed …).

    values: float64 (n,) or (n, k); purchasing_row: int (n,) — index of the row that buys
    for each row (itself for purchasing rows) → same shape as values: purchasing rows hold
    their own value plus those of the rows mapped to them; sales-only rows hold 0.
    """
    v = np.asarray(values, dtype=np.float64)
    target = np.asarray(purchasing_row, dtype=np.intp)
    n = v.shape[0]
    if target.shape != (n,) or np.any((target < 0) | (target >= n)):
        raise ValueError("purchasing_row must be (n,) row indices")
    if np.any(target[target] != target):
        raise ValueError("a purchasing row must map to itself")
    flat = v.reshape(n, -1)
    out = np.zeros_like(flat)
    np.add.at(out, target, flat)
    return out.reshape(v.shape)
