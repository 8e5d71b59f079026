"""``generate(spec)``: build a deterministic demo business from a :class:`DatasetSpec`."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from restock_demodata.assemble import Clock, assemble
from restock_demodata.catalog import build_catalog, roles
from restock_demodata.demand import draw_params, rate_matrix, sample_demand
from restock_demodata.model import Dataset, DatasetSpec
from restock_demodata.simulate import MAKE_DAYS, MODE_MAKE, MODE_PO, MODE_TRANSFER, SimInput
from restock_demodata.simulate import simulate as run_simulation

OPEN_DAYS = 5


def _clock(spec: DatasetSpec, n_days: int) -> Clock:
    tz = ZoneInfo(spec.time_zone)
    start = spec.end_date - timedelta(days=n_days)
    days = [start + timedelta(days=i) for i in range(n_days + 1)]
    ms = np.array(
        [int(datetime(d.year, d.month, d.day, tzinfo=tz).timestamp() * 1000) for d in days],
        dtype=np.int64,
    )
    dates = np.array(days, dtype="datetime64[D]")
    return Clock(start=start, day_start_ms=ms, dates=dates)


def generate(spec: DatasetSpec) -> Dataset:
    """Generate a dataset; identical specs give identical datasets.

    Demand follows per-variant ground truth (class, trend, yearly seasonality, weekday
    profile); stock is simulated day by day with (s, Q) replenishment, so stock-outs,
    lead-time variability, production and transfers are consistent with the ledger.
    """
    if spec.skus < 5:
        raise ValueError("skus must be >= 5")
    rng = np.random.default_rng(spec.seed)
    n_days = max(30, round(spec.years * 365))
    clock = _clock(spec, n_days)
    start_dt = datetime.fromtimestamp(clock.day_start_ms[0] / 1000, tz=UTC)
    role = roles(spec.skus)
    params = draw_params(rng, role <= 1, n_days)
    created = np.empty(spec.skus, dtype=object)
    disc = np.empty(spec.skus, dtype=object)
    for j in range(spec.skus):
        lday = int(params.launch[j])
        created[j] = (
            start_dt - timedelta(days=30 + j % 300)
            if lday == 0
            else datetime.fromtimestamp(clock.day_start_ms[max(0, lday - 75)] / 1000, tz=UTC)
        )
        dday = int(params.disc[j])
        disc[j] = (
            None
            if dday >= n_days
            else datetime.fromtimestamp(clock.day_start_ms[dday] / 1000, tz=UTC)
        )
    cat = build_catalog(spec, rng, clock.start, start_dt, created, disc)
    n_loc = len(cat.locations)

    var_l, loc_l = [], []
    for li in range(n_loc):
        if li == 0:
            sel = np.arange(spec.skus)
        else:
            keep = rng.random(spec.skus) < (0.6 if li == 1 else 0.5)
            sel = np.flatnonzero((role <= 1) & keep)
        var_l.append(sel)
        loc_l.append(np.full(sel.size, li))
    var = np.concatenate(var_l)
    loc = np.concatenate(loc_l)
    n_slots = var.size
    slot_of = np.full((spec.skus, n_loc), -1)
    slot_of[var, loc] = np.arange(n_slots)
    sales = role[var] <= 1
    share = np.where(loc == 0, 1.0, rng.uniform(0.2, 0.5, n_slots))
    share = np.where(sales, share, 0.0)
    totals = np.bincount(var, weights=share, minlength=spec.skus)
    share = np.where(sales, share / np.maximum(totals[var], 1e-9), 0.0)

    doy = np.array([d.timetuple().tm_yday for d in clock.dates[:-1].tolist()])
    wday = np.array([d.weekday() for d in clock.dates[:-1].tolist()])
    rate = rate_matrix(params, var, share, doy, wday)
    demand = sample_demand(rng, params, var, rate)
    tt = np.arange(n_days)[None, :]
    live = sales[:, None] & (tt >= params.launch[var][:, None]) & (tt < params.disc[var][:, None])
    open_mask = live & (tt >= n_days - OPEN_DAYS) & (rng.random((n_slots, n_days)) < 0.35)

    r = role[var]
    mode = np.where((r == 0) & (loc != 1), MODE_PO, MODE_TRANSFER)
    mode = np.where(r == 3, MODE_PO, mode)
    mode = np.where(((r == 1) | (r == 2)) & (loc == 0), MODE_MAKE, mode)
    source = np.where(mode == MODE_TRANSFER, slot_of[var, 0], -1)
    level = np.where(r == 1, 1, np.where(r == 2, 2, 0))
    lt = np.where(mode == MODE_PO, cat.lt_mean[var], np.where(mode == MODE_MAKE, MAKE_DAYS, 1.0))
    lt_sd = np.where(mode == MODE_PO, cat.lt_sd[var], 0.0)

    slot_rate = rate.mean(axis=1)
    eff = slot_rate.copy()
    tr = mode == MODE_TRANSFER
    np.add.at(eff, source[tr], slot_rate[tr])
    b_par = np.array([slot_of[b.product_variant_id - 1, 0] for b in cat.bom_lines], dtype=np.int64)
    b_ing = np.array(
        [slot_of[b.ingredient_variant_id - 1, 0] for b in cat.bom_lines], dtype=np.int64
    )
    b_qty = np.array([b.quantity for b in cat.bom_lines], dtype=np.float64)
    for lv in (1, 2):
        sel = level[b_par] == lv
        np.add.at(eff, b_ing[sel], eff[b_par[sel]] * b_qty[sel])
    size = params.size_mean[var] * np.where(params.high_cv[var], 3.0, 1.0)
    sd = np.sqrt(eff * np.maximum(size, 1.0)) + np.where(sales, 0.0, eff * 0.5)
    z = np.where(rng.random(n_slots) < 0.2, rng.uniform(-0.6, 0.2, n_slots), 1.6)
    cover = lt + 1.0
    rop = eff * cover + z * (sd * np.sqrt(cover) + lt_sd * eff) + np.where(sales, 0.0, eff * 7)
    rop = np.maximum(np.round(rop), 0.0)
    cycle = rng.uniform(14, 45, n_slots)
    qty = np.maximum(np.ceil(eff * cycle), np.where(sales, np.ceil(size), 1.0))
    qty = np.where(eff > 0, qty, 0.0)
    launch = params.launch[var]
    dstop = params.disc[var]
    active_from = np.where(launch > 0, np.maximum(0, launch - np.ceil(lt).astype(int) - 2), 0)
    active_to = np.where(dstop < n_days, np.maximum(0, dstop - np.ceil(lt).astype(int)), n_days)
    active_to = np.where(eff > 0, active_to, 0)
    init = np.where((launch == 0) & (eff > 0), np.floor(rop + qty / 2), 0.0)
    inp = SimInput(
        demand=demand,
        open_mask=open_mask,
        sales_live=live,
        mode=mode,
        level=level,
        source=source,
        rop=rop,
        qty=qty,
        conversion=cat.conversion[var],
        moq=cat.moq[var],
        lt_mean=lt,
        lt_sd=lt_sd,
        active_from=active_from,
        active_to=active_to,
        init=init,
        bom_parent=b_par,
        bom_ing=b_ing,
        bom_qty=b_qty,
    )
    sim = run_simulation(inp, rng)
    return assemble(spec, rng, clock, cat, params, var, loc, inp, sim, eff, lt)


def default_spec(**overrides: object) -> DatasetSpec:
    """A :class:`DatasetSpec` with the given fields replaced."""
    base = DatasetSpec()
    fields = {k: getattr(base, k) for k in DatasetSpec.__dataclass_fields__}
    fields.update(overrides)
    return DatasetSpec(**fields)


__all__ = ["date", "default_spec", "generate"]
