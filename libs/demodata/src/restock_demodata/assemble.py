"""Turn simulation events into the columnar tables of a :class:`Dataset`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import numpy as np

from restock_demodata.catalog import Catalog
from restock_demodata.demand import CLASSES, DemandParams
from restock_demodata.model import (
    Dataset,
    DatasetSpec,
    DemandClass,
    MovementKind,
    PurchaseLines,
    PurchaseOrders,
    PurchaseOrderStatus,
    SalesLines,
    SalesOrders,
    SalesOrderStatus,
    StockLevels,
    StockMovements,
    StockoutDays,
    VariantTruth,
)
from restock_demodata.simulate import MAKE_DAYS, MODE_MAKE, MODE_PO, SimInput, SimResult

HOUR = 3_600_000
DAY = 24 * HOUR


@dataclass(frozen=True, slots=True)
class Clock:
    """Local calendar: ``day_start_ms`` (D+1,) UTC epoch ms of each local midnight,
    ``dates`` (D+1,) datetime64[D]; index D is ``end_date`` (= now)."""

    start: date
    day_start_ms: np.ndarray
    dates: np.ndarray


def _ts(ms: np.ndarray, valid: np.ndarray | None = None) -> np.ndarray:
    out = ms.astype("datetime64[ms]")
    if valid is not None:
        out = np.where(valid, out, np.datetime64("NaT", "ms"))
    return out


def _groups(
    keys: list[np.ndarray], rand: np.ndarray, split_p: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Sort rows by ``keys`` and cut them into groups; returns (order, group index)."""
    order = np.lexsort([rand, *keys[::-1]])
    n = order.size
    brk = np.ones(n, dtype=bool)
    if n:
        same = np.ones(n - 1, dtype=bool)
        for k in keys:
            ks = k[order]
            same &= ks[1:] == ks[:-1]
        brk[1:] = ~same | (rng.random(n - 1) < split_p)
    return order, np.cumsum(brk) - 1


def _fx_for(cat: Catalog, ccy_idx: np.ndarray, day_dates: np.ndarray) -> np.ndarray:
    m = np.clip(np.searchsorted(cat.fx.months, day_dates, side="right") - 1, 0, None)
    rates = np.vstack([cat.fx.rates, np.ones((1, cat.fx.months.shape[0]))])
    return rates[ccy_idx, m]


def _renumber(at: np.ndarray, group: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """Ids ordered by time: returns (new id per group, permutation of rows by new id)."""
    first = np.zeros(n_groups, dtype=np.int64)
    first[group[::-1]] = np.arange(group.size)[::-1]
    rank = np.argsort(at[first], kind="stable")
    new_id = np.empty(n_groups, dtype=np.int64)
    new_id[rank] = np.arange(1, n_groups + 1)
    return new_id, np.argsort(new_id[group], kind="stable")


def assemble(
    spec: DatasetSpec,
    rng: np.random.Generator,
    clock: Clock,
    cat: Catalog,
    params: DemandParams,
    var: np.ndarray,
    loc: np.ndarray,
    inp: SimInput,
    sim: SimResult,
    eff: np.ndarray,
    lt: np.ndarray,
) -> Dataset:
    """Build the dataset tables. Slot arrays (``var``, ``loc``, ``eff``, ``lt``) are (S,)."""
    n_days = clock.dates.shape[0] - 1
    ds = clock.day_start_ms
    ccys = cat.fx.currencies
    var_ccy = {
        c: (ccys.index(c) if c in ccys else len(ccys))
        for c in {s.currency for s in cat.suppliers} | {c.currency for c in cat.customers}
    }

    # Sales lines + quotes -> orders
    sales_slots = np.flatnonzero(role_sellable(cat, var))
    n_q = max(3, sim.sale_slot.size // 30)
    q_slot = rng.choice(sales_slots, n_q)
    q_day = rng.integers(0, n_days, n_q)
    slot = np.concatenate([sim.sale_slot, q_slot])
    day = np.concatenate([sim.sale_day, q_day])
    qty = np.concatenate([sim.sale_qty, rng.integers(1, 6, n_q).astype(np.float64)])
    status = np.concatenate(
        [np.where(sim.sale_open, SalesOrderStatus.OPEN, SalesOrderStatus.DELIVERED), np.zeros(n_q)]
    ).astype(np.int8)
    order, grp = _groups([status, loc[slot], day], rng.random(slot.size), 0.45, rng)
    slot, day, qty, status = slot[order], day[order], qty[order], status[order]
    n_so = int(grp[-1]) + 1 if grp.size else 0
    so_at = ds[day] + rng.integers(8 * HOUR, 17 * HOUR, slot.size)
    head = np.searchsorted(grp, np.arange(n_so))
    so_at = so_at[head][grp]
    new_id, perm = _renumber(so_at, grp, n_so)
    slot, day, qty, status, so_at, grp = (a[perm] for a in (slot, day, qty, status, so_at, grp))
    order_id = new_id[grp]
    head = np.searchsorted(order_id, np.arange(1, n_so + 1))
    cust = rng.integers(0, len(cat.customers), n_so)
    cust_ccy = np.array([var_ccy[c.currency] for c in cat.customers])[cust]
    so_fx = np.round(_fx_for(cat, cust_ccy, clock.dates[day[head]]), 6)
    line_fx = so_fx[order_id - 1]
    price = np.round(cat.sales_price[var[slot]] * rng.uniform(0.9, 1.0, slot.size) / line_fx, 2)
    delivered = status == SalesOrderStatus.DELIVERED
    so_status = status[head]
    sales_orders = SalesOrders(
        id=np.arange(1, n_so + 1),
        customer_id=cust + 1,
        location_id=loc[slot[head]] + 1,
        status=so_status,
        ordered_at=_ts(so_at[head]),
        delivery_date=_ts(so_at[head] + 2 * DAY),
        delivered_at=_ts(so_at[head] + HOUR, so_status == SalesOrderStatus.DELIVERED),
        fx_rate=so_fx,
        line_start=head.astype(np.int64),
        line_count=np.bincount(order_id - 1, minlength=n_so).astype(np.int64),
    )
    sales_lines = SalesLines(
        id=np.arange(1, slot.size + 1),
        order_id=order_id,
        variant_id=var[slot] + 1,
        location_id=loc[slot] + 1,
        quantity=qty,
        unit_price=price,
        tax_rate_id=np.where(line_fx == 1.0, 1, 2),
    )

    # Purchase lines + drafts -> purchase orders
    po_slots = np.flatnonzero((inp.mode == MODE_PO) & (inp.active_to >= n_days))
    n_dr = min(po_slots.size, max(1, po_slots.size // 100))
    d_slot = rng.choice(po_slots, n_dr, replace=False) if n_dr else np.zeros(0, np.int64)
    pslot = np.concatenate([sim.po_slot, d_slot])
    pday = np.concatenate([sim.po_day, np.full(n_dr, n_days - 1)])
    conv = cat.conversion[var[pslot]]
    pqty = np.concatenate(
        [sim.po_qty, np.maximum(np.ceil(inp.qty[d_slot] / conv[sim.po_slot.size :]), 1)]
    )
    parrive = np.concatenate([sim.po_arrive, np.full(n_dr, 10**9)])
    draft = np.arange(pslot.size) >= sim.po_slot.size
    sup = cat.supplier_idx[var[pslot]]
    order, grp = _groups(
        [draft.astype(np.int64), sup, loc[pslot], pday], rng.random(pslot.size), 0.0, rng
    )
    pslot, pday, pqty, parrive, draft, sup, conv = (
        a[order] for a in (pslot, pday, pqty, parrive, draft, sup, conv)
    )
    n_po = int(grp[-1]) + 1 if grp.size else 0
    po_at = ds[pday] + 10 * HOUR
    new_id, perm = _renumber(po_at, grp, n_po)
    pslot, pday, pqty, parrive, draft, sup, conv, po_at, grp = (
        a[perm] for a in (pslot, pday, pqty, parrive, draft, sup, conv, po_at, grp)
    )
    po_id = new_id[grp]
    phead = np.searchsorted(po_id, np.arange(1, n_po + 1))
    received = parrive < n_days
    rec_ms = np.where(received, ds[np.minimum(parrive, n_days)] + 7 * HOUR, 0)
    sup_lt = np.array([s.default_lead_time_days for s in cat.suppliers])[sup]
    eta = po_at - 10 * HOUR + sup_lt * DAY
    n_rec = np.bincount(po_id - 1, weights=received, minlength=n_po)
    n_lines = np.bincount(po_id - 1, minlength=n_po)
    po_status = np.select(
        [draft[phead], n_rec == n_lines, n_rec > 0],
        [
            PurchaseOrderStatus.DRAFT,
            PurchaseOrderStatus.RECEIVED,
            PurchaseOrderStatus.PARTIALLY_RECEIVED,
        ],
        PurchaseOrderStatus.OPEN,
    ).astype(np.int8)
    sup_ccy = np.array([var_ccy[s.currency] for s in cat.suppliers])[sup[phead]]
    purchase_orders = PurchaseOrders(
        id=np.arange(1, n_po + 1),
        supplier_id=sup[phead] + 1,
        location_id=loc[pslot[phead]] + 1,
        status=po_status,
        ordered_at=_ts(po_at[phead]),
        expected_arrival=_ts(eta[phead]),
        fx_rate=np.round(_fx_for(cat, sup_ccy, clock.dates[pday[phead]]), 6),
        line_start=phead.astype(np.int64),
        line_count=n_lines.astype(np.int64),
    )
    pprice = np.array([v.purchase_price or 0.0 for v in cat.variants])[var[pslot]]
    purchase_lines = PurchaseLines(
        id=np.arange(1, pslot.size + 1),
        order_id=po_id,
        variant_id=var[pslot] + 1,
        location_id=loc[pslot] + 1,
        quantity=pqty,
        unit_price=pprice,
        conversion_rate=conv,
        arrival_date=_ts(eta),
        received_at=_ts(rec_ms, received),
        tax_rate_id=np.full(pslot.size, 1),
    )

    # Ledger
    parts: list[tuple[Any, ...]] = []
    init = np.flatnonzero(inp.init > 0)
    parts.append((init, np.full(init.size, ds[0]), MovementKind.OPENING, inp.init[init], -1, -1))
    parts.append(
        (
            pslot[received],
            rec_ms[received],
            MovementKind.PURCHASE_RECEIPT,
            (pqty * conv)[received],
            purchase_lines.id[received],
            po_id[received],
        )
    )
    dl = np.flatnonzero(delivered)
    parts.append(
        (slot[dl], so_at[dl] + HOUR, MovementKind.SALE, -qty[dl], sales_lines.id[dl], order_id[dl])
    )
    run_ids = np.arange(1, sim.run_slot.size + 1)
    done = sim.run_finish < n_days
    parts.append(
        (
            sim.run_slot[done],
            ds[np.minimum(sim.run_finish[done], n_days)] + 7 * HOUR + 60_000,
            MovementKind.PRODUCTION_OUTPUT,
            sim.run_qty[done],
            run_ids[done],
            run_ids[done],
        )
    )
    parts.append(
        (
            sim.cons_slot,
            ds[sim.run_day[sim.cons_run]] + 19 * HOUR,
            MovementKind.PRODUCTION_CONSUMPTION,
            -sim.cons_qty,
            sim.cons_run + 1,
            sim.cons_run + 1,
        )
    )
    tr_ids = np.arange(1, sim.tr_src.size + 1)
    parts.append(
        (
            sim.tr_src,
            ds[sim.tr_day] + 18 * HOUR,
            MovementKind.TRANSFER_OUT,
            -sim.tr_qty,
            tr_ids,
            tr_ids,
        )
    )
    arr = sim.tr_arrive < n_days
    parts.append(
        (
            sim.tr_dst[arr],
            ds[np.minimum(sim.tr_arrive[arr], n_days)] + 7 * HOUR + 120_000,
            MovementKind.TRANSFER_IN,
            sim.tr_qty[arr],
            tr_ids[arr],
            tr_ids[arr],
        )
    )
    m_slot: np.ndarray = np.concatenate([p[0] for p in parts]).astype(np.int64)
    m_at: np.ndarray = np.concatenate([p[1] for p in parts]).astype(np.int64)
    m_kind: np.ndarray = np.concatenate([np.full(p[0].size, p[2]) for p in parts]).astype(np.int8)
    m_q: np.ndarray = np.concatenate([p[3] for p in parts]).astype(np.float64)
    m_src: np.ndarray = np.concatenate([np.broadcast_to(p[4], p[0].shape) for p in parts]).astype(
        np.int64
    )
    m_ord: np.ndarray = np.concatenate([np.broadcast_to(p[5], p[0].shape) for p in parts]).astype(
        np.int64
    )
    chrono = np.lexsort((m_slot, m_at))
    m_id: np.ndarray = np.empty(m_slot.size, dtype=np.int64)
    m_id[chrono] = np.arange(1, m_slot.size + 1)
    ledger = np.lexsort((m_id, m_at, loc[m_slot], var[m_slot]))
    m_slot, m_at, m_kind, m_q, m_src, m_ord, m_id = (
        a[ledger] for a in (m_slot, m_at, m_kind, m_q, m_src, m_ord, m_id)
    )
    cs = np.cumsum(m_q)
    starts = np.flatnonzero(np.r_[True, m_slot[1:] != m_slot[:-1]]) if m_slot.size else m_slot
    counts = np.diff(np.r_[starts, m_slot.size])
    balance = np.round(cs - np.repeat(cs[starts] - m_q[starts], counts), 6)
    movements = StockMovements(
        id=m_id,
        variant_id=var[m_slot] + 1,
        location_id=loc[m_slot] + 1,
        at=_ts(m_at),
        kind=m_kind,
        quantity_change=m_q,
        balance_after=balance,
        unit_cost=cat.unit_cost[var[m_slot]],
        source_id=m_src,
        source_order_id=m_ord,
    )

    # Stock levels for every variant x location
    n_var, n_loc = len(cat.variants), len(cat.locations)
    grid_v = np.repeat(np.arange(n_var), n_loc)
    grid_l = np.tile(np.arange(n_loc), n_var)
    idx = grid_v * n_loc + grid_l
    n_s = var.size
    slot_at = np.full(n_var * n_loc, -1)
    slot_at[var * n_loc + loc] = np.arange(n_s)
    committed = np.bincount(
        slot[status == SalesOrderStatus.OPEN],
        weights=qty[status == SalesOrderStatus.OPEN],
        minlength=n_s,
    )
    open_po = (~received) & (~draft)
    expected = np.bincount(pslot[open_po], weights=(pqty * conv)[open_po], minlength=n_s)
    expected += np.bincount(sim.run_slot[~done], weights=sim.run_qty[~done], minlength=n_s)
    safety = np.maximum(np.round(inp.rop - eff * lt), 0.0)

    def per_slot(x: np.ndarray) -> np.ndarray:
        s = slot_at[idx]
        return np.where(s >= 0, x[np.maximum(s, 0)], 0.0)

    stock_levels = StockLevels(
        id=np.arange(1, idx.size + 1),
        variant_id=grid_v + 1,
        location_id=grid_l + 1,
        on_hand=per_slot(np.round(sim.on_hand, 6)),
        committed=per_slot(committed),
        expected=per_slot(expected),
        safety_stock=per_slot(safety),
        reorder_point=per_slot(inp.rop),
        average_cost=cat.unit_cost[grid_v],
    )

    so_s, so_d = np.nonzero(sim.stockout)
    stockouts = StockoutDays(
        id=np.arange(1, so_s.size + 1),
        variant_id=var[so_s] + 1,
        location_id=loc[so_s] + 1,
        day=clock.dates[so_d],
    )
    so_count = np.bincount(var[so_s], minlength=n_var)
    truth = []
    for j in range(n_var):
        c = int(params.cls[j])
        is_po = cat.supplier_idx[j] >= 0
        truth.append(
            VariantTruth(
                variant_id=j + 1,
                demand_class=CLASSES[c] if c >= 0 else DemandClass.NONE,
                base_daily_demand=round(float(params.base[j]), 4) if c >= 0 else 0.0,
                trend_per_year=float(params.trend[j]) if c >= 0 else 0.0,
                seasonality_amplitude=float(params.amp[j]) if c >= 0 else 0.0,
                seasonality_peak_doy=int(params.peak[j]),
                weekday_profile=tuple(round(float(x), 4) for x in params.weekday[j]),
                lead_time_mean_days=float(cat.lt_mean[j]) if is_po else float(MAKE_DAYS),
                lead_time_sd_days=float(cat.lt_sd[j]) if is_po else 0.0,
                launch_date=clock.dates[params.launch[j]].item() if params.launch[j] > 0 else None,
                discontinued_date=(
                    clock.dates[params.disc[j]].item() if params.disc[j] < n_days else None
                ),
                stockout_day_count=int(so_count[j]),
            )
        )
    return Dataset(
        spec=spec,
        company_name=spec.company_name,
        base_currency=spec.base_currency,
        time_zone=spec.time_zone,
        start_date=clock.start,
        now=datetime.fromtimestamp(int(ds[n_days]) / 1000, tz=UTC),
        categories=cat.categories,
        tax_rates=cat.tax_rates,
        fx=cat.fx,
        locations=cat.locations,
        suppliers=cat.suppliers,
        customers=cat.customers,
        items=cat.items,
        variants=cat.variants,
        bom_lines=cat.bom_lines,
        sales_orders=sales_orders,
        sales_lines=sales_lines,
        purchase_orders=purchase_orders,
        purchase_lines=purchase_lines,
        movements=movements,
        stock_levels=stock_levels,
        truth=tuple(truth),
        stockout_days=stockouts,
    )


def role_sellable(cat: Catalog, var: np.ndarray) -> np.ndarray:
    """True for slots of sellable variants, shape like ``var``."""
    return cat.role[var] <= 1


__all__ = ["MODE_MAKE", "Clock", "assemble"]
