"""Day-by-day inventory simulation, vectorised over stock slots (variant x location).

Each day, in this order: arrivals (PO receipts, finished production, transfers in), sales
(lost when stock is short), transfers out to replenish transfer-fed slots, production of
manufactured products then sub-assemblies (limited by ingredient stock), then purchase
orders for purchased slots whose inventory position is at or below the reorder point.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

MODE_PO, MODE_MAKE, MODE_TRANSFER = 0, 1, 2
MAKE_DAYS = 3
TRANSFER_DAYS = 1


@dataclass(frozen=True, slots=True)
class SimInput:
    """Simulation inputs; slot arrays have shape (S,), ``demand``/``open_mask`` (S, D).

    ``level`` orders production (1 = sellable manufactured, 2 = sub-assembly);
    ``bom_parent``/``bom_ing``/``bom_qty`` have shape (n_bom,) in slot indices.
    ``active_from``/``active_to`` bound the days a slot may be replenished.
    """

    demand: np.ndarray
    open_mask: np.ndarray
    sales_live: np.ndarray
    mode: np.ndarray
    level: np.ndarray
    source: np.ndarray
    rop: np.ndarray
    qty: np.ndarray
    conversion: np.ndarray
    moq: np.ndarray
    lt_mean: np.ndarray
    lt_sd: np.ndarray
    active_from: np.ndarray
    active_to: np.ndarray
    init: np.ndarray
    bom_parent: np.ndarray
    bom_ing: np.ndarray
    bom_qty: np.ndarray


@dataclass(frozen=True, slots=True)
class SimResult:
    """Event arrays. Sales (n_sales,): slot, day, qty, open. PO lines (n_po,): slot, day,
    qty (purchase UoM), arrive (day; >= D means still open). Runs (n_runs,): slot, day,
    qty, finish. Consumptions (n_cons,): run, slot, qty. Transfers (n_tr,): src, dst,
    day, qty, arrive. ``stockout`` is (S, D) bool; ``on_hand`` (S,) final stock."""

    sale_slot: np.ndarray
    sale_day: np.ndarray
    sale_qty: np.ndarray
    sale_open: np.ndarray
    po_slot: np.ndarray
    po_day: np.ndarray
    po_qty: np.ndarray
    po_arrive: np.ndarray
    run_slot: np.ndarray
    run_day: np.ndarray
    run_qty: np.ndarray
    run_finish: np.ndarray
    cons_run: np.ndarray
    cons_slot: np.ndarray
    cons_qty: np.ndarray
    tr_src: np.ndarray
    tr_dst: np.ndarray
    tr_day: np.ndarray
    tr_qty: np.ndarray
    tr_arrive: np.ndarray
    stockout: np.ndarray
    on_hand: np.ndarray


def _cat(parts: list[np.ndarray], dtype: type) -> np.ndarray:
    return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)


def simulate(inp: SimInput, rng: np.random.Generator) -> SimResult:
    """Run the simulation over ``D = demand.shape[1]`` days."""
    n_slots, n_days = inp.demand.shape
    on_hand = inp.init.astype(np.float64).copy()
    on_order = np.zeros(n_slots)
    arrivals: dict[int, list[tuple[np.ndarray, np.ndarray]]] = defaultdict(list)
    ev: dict[str, list[np.ndarray]] = defaultdict(list)
    stockout = np.zeros((n_slots, n_days), dtype=bool)
    po_slots = np.flatnonzero(inp.mode == MODE_PO)
    tr_all = np.flatnonzero(inp.mode == MODE_TRANSFER)
    tr_groups = [tr_all] if tr_all.size else []
    levels = [np.flatnonzero((inp.mode == MODE_MAKE) & (inp.level == lv)) for lv in (1, 2)]
    n_runs = 0
    for t in range(n_days):
        for slots, qty in arrivals.pop(t, []):
            np.add.at(on_hand, slots, qty)
            np.add.at(on_order, slots, -qty)
        d = inp.demand[:, t]
        out = (on_hand <= 1e-9) & inp.sales_live[:, t]
        stockout[:, t] = out
        take = np.where(on_hand > 1e-9, np.minimum(d, np.floor(on_hand + 1e-9)), 0.0)
        sold = np.flatnonzero(take > 0)
        if sold.size:
            is_open = inp.open_mask[sold, t]
            ev["sale_slot"].append(sold)
            ev["sale_day"].append(np.full(sold.size, t))
            ev["sale_qty"].append(take[sold])
            ev["sale_open"].append(is_open)
            on_hand[sold[~is_open]] -= take[sold[~is_open]]
        active = (t >= inp.active_from) & (t < inp.active_to)
        for dst in tr_groups:
            need = dst[active[dst] & (on_hand[dst] + on_order[dst] <= inp.rop[dst])]
            if need.size == 0:
                continue
            src = inp.source[need]
            ship = np.zeros(need.size)
            for k in range(need.size):
                ship[k] = min(inp.qty[need[k]], np.floor(on_hand[src[k]] + 1e-9))
                on_hand[src[k]] -= ship[k]
            ok = ship > 0
            need, src, ship = need[ok], src[ok], ship[ok]
            if need.size:
                on_order[need] += ship
                arrivals[t + TRANSFER_DAYS].append((need, ship))
                for key, val in (
                    ("tr_src", src),
                    ("tr_dst", need),
                    ("tr_qty", ship),
                    ("tr_day", np.full(need.size, t)),
                    ("tr_arrive", np.full(need.size, t + TRANSFER_DAYS)),
                ):
                    ev[key].append(val)
        for group in levels:
            need = group[active[group] & (on_hand[group] + on_order[group] <= inp.rop[group])]
            if need.size == 0:
                continue
            want = np.zeros(n_slots)
            want[need] = inp.qty[need]
            lines = np.flatnonzero(want[inp.bom_parent] > 0)
            par, ing, per = inp.bom_parent[lines], inp.bom_ing[lines], inp.bom_qty[lines]
            total = np.bincount(ing, weights=want[par] * per, minlength=n_slots)
            fac_ing = np.where(total > 0, np.minimum(1.0, on_hand / np.maximum(total, 1e-12)), 1.0)
            fac = np.ones(n_slots)
            np.minimum.at(fac, par, fac_ing[ing])
            made = np.floor(want * fac + 1e-9)
            made[~np.isin(np.arange(n_slots), par)] = 0.0
            runs = np.flatnonzero(made > 0)
            if runs.size == 0:
                continue
            use = made[par] * per
            keep = use > 0
            np.subtract.at(on_hand, ing[keep], use[keep])
            run_id = np.full(n_slots, -1)
            run_id[runs] = n_runs + np.arange(runs.size)
            ev["cons_run"].append(run_id[par[keep]])
            ev["cons_slot"].append(ing[keep])
            ev["cons_qty"].append(use[keep])
            ev["run_slot"].append(runs)
            ev["run_day"].append(np.full(runs.size, t))
            ev["run_qty"].append(made[runs])
            ev["run_finish"].append(np.full(runs.size, t + MAKE_DAYS))
            n_runs += runs.size
            on_order[runs] += made[runs]
            arrivals[t + MAKE_DAYS].append((runs, made[runs]))
        need = po_slots[
            active[po_slots] & (on_hand[po_slots] + on_order[po_slots] <= inp.rop[po_slots])
        ]
        if need.size:
            conv = inp.conversion[need]
            qty_p = np.maximum(np.ceil(inp.qty[need] / conv), inp.moq[need])
            mean, sd = inp.lt_mean[need], np.maximum(inp.lt_sd[need], 1e-3)
            lead = np.maximum(1, np.round(rng.gamma((mean / sd) ** 2, sd**2 / mean))).astype(int)
            arrive = t + lead
            on_order[need] += qty_p * conv
            for day in np.unique(arrive):
                sel = arrive == day
                arrivals[int(day)].append((need[sel], (qty_p * conv)[sel]))
            for key, val in (
                ("po_slot", need),
                ("po_day", np.full(need.size, t)),
                ("po_qty", qty_p),
                ("po_arrive", arrive),
            ):
                ev[key].append(val)
    ints = {
        "sale_slot",
        "sale_day",
        "po_slot",
        "po_day",
        "po_arrive",
        "run_slot",
        "run_day",
        "run_finish",
        "cons_run",
        "cons_slot",
        "tr_src",
        "tr_dst",
        "tr_day",
        "tr_arrive",
    }
    fields = {
        k: _cat(ev[k], np.int64 if k in ints else np.float64)
        for k in SimResult.__dataclass_fields__
        if k not in ("stockout", "on_hand")
    }
    fields["sale_open"] = fields["sale_open"].astype(bool)
    return SimResult(**fields, stockout=stockout, on_hand=on_hand)
