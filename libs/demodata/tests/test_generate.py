from datetime import timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from restock_demodata import (
    DatasetSpec,
    DemandClass,
    MovementKind,
    PurchaseOrderStatus,
    SalesOrderStatus,
    generate,
)


@pytest.fixture(scope="module")
def ds():
    return generate(DatasetSpec(seed=7, skus=120, locations=3, years=1.5))


def test_same_seed_gives_identical_data(ds):
    again = generate(DatasetSpec(seed=7, skus=120, locations=3, years=1.5))
    assert again.variants == ds.variants
    for table in ("sales_lines", "purchase_lines", "movements", "stock_levels"):
        a, b = getattr(ds, table), getattr(again, table)
        for col in a.__dataclass_fields__:
            np.testing.assert_array_equal(getattr(a, col), getattr(b, col))


def test_other_seed_differs(ds):
    other = generate(DatasetSpec(seed=8, skus=120, locations=3, years=1.5))
    assert len(other.sales_lines) != len(ds.sales_lines) or not np.array_equal(
        other.sales_lines.quantity, ds.sales_lines.quantity
    )


def test_ledger_ends_at_current_stock_and_never_negative(ds):
    m, sl = ds.movements, ds.stock_levels
    assert (m.balance_after >= -1e-9).all()
    key = m.variant_id * 100 + m.location_id
    last = np.r_[key[1:] != key[:-1], True]
    final = dict(zip(key[last].tolist(), m.balance_after[last].tolist(), strict=True))
    sums = {}
    for k, q in zip(key.tolist(), m.quantity_change.tolist(), strict=True):
        sums[k] = sums.get(k, 0.0) + q
    for v, loc, on_hand in zip(
        sl.variant_id.tolist(), sl.location_id.tolist(), sl.on_hand.tolist(), strict=True
    ):
        k = v * 100 + loc
        assert final.get(k, 0.0) == pytest.approx(on_hand, abs=1e-6)
        assert sums.get(k, 0.0) == pytest.approx(on_hand, abs=1e-6)
        assert on_hand >= 0


def test_all_demand_classes_and_lifecycle_cases_present(ds):
    classes = {t.demand_class for t in ds.truth}
    assert {
        DemandClass.SMOOTH,
        DemandClass.ERRATIC,
        DemandClass.INTERMITTENT,
        DemandClass.LUMPY,
    } <= classes
    assert any(t.launch_date for t in ds.truth)
    assert any(t.discontinued_date for t in ds.truth)
    assert len(ds.stockout_days) > 0
    assert any(t.seasonality_amplitude > 0.3 for t in ds.truth)


def test_stockout_days_have_no_sales(ds):
    tz = ZoneInfo(ds.time_zone)
    so, sl = ds.sales_orders, ds.sales_lines
    status = so.status[sl.order_id - 1]
    sold = sl.quantity > 0
    at = so.ordered_at[sl.order_id - 1].astype("datetime64[ms]").astype(object)
    days = np.array(
        [(t.replace(tzinfo=ZoneInfo("UTC")).astimezone(tz)).date() for t in at],
        dtype="datetime64[D]",
    )
    demand = status != SalesOrderStatus.QUOTE
    sales = set(
        zip(
            sl.variant_id[demand & sold].tolist(),
            sl.location_id[demand & sold].tolist(),
            days[demand & sold].tolist(),
            strict=True,
        )
    )
    outs = set(
        zip(
            ds.stockout_days.variant_id.tolist(),
            ds.stockout_days.location_id.tolist(),
            ds.stockout_days.day.tolist(),
            strict=True,
        )
    )
    assert outs
    assert not (sales & outs)


def test_po_receipts_match_movements(ds):
    pl, m = ds.purchase_lines, ds.movements
    received = ~np.isnat(pl.received_at)
    rec = m.kind == MovementKind.PURCHASE_RECEIPT
    assert rec.sum() == received.sum()
    by_line = dict(zip(m.source_id[rec].tolist(), m.quantity_change[rec].tolist(), strict=True))
    for lid, q, conv in zip(
        pl.id[received].tolist(),
        pl.quantity[received].tolist(),
        pl.conversion_rate[received].tolist(),
        strict=True,
    ):
        assert by_line[lid] == pytest.approx(q * conv)
    lead = pl.received_at[received] - ds.purchase_orders.ordered_at[pl.order_id[received] - 1]
    days = lead.astype("timedelta64[h]").astype(float) / 24
    assert days.min() >= 0.5
    assert days.std() > 1.0


def test_expected_equals_open_purchase_lines(ds):
    pl, po, sl = ds.purchase_lines, ds.purchase_orders, ds.stock_levels
    status = po.status[pl.order_id - 1]
    open_ = np.isnat(pl.received_at) & (status != PurchaseOrderStatus.DRAFT)
    assert open_.any()
    assert (status == PurchaseOrderStatus.DRAFT).any()
    want: dict[tuple[int, int], float] = {}
    for v, loc, q, c in zip(
        pl.variant_id[open_].tolist(),
        pl.location_id[open_].tolist(),
        pl.quantity[open_].tolist(),
        pl.conversion_rate[open_].tolist(),
        strict=True,
    ):
        want[(v, loc)] = want.get((v, loc), 0.0) + q * c
    purchased = {v.id for v in ds.variants if v.supplier_id is not None}
    for v, loc, e in zip(
        sl.variant_id.tolist(), sl.location_id.tolist(), sl.expected.tolist(), strict=True
    ):
        if v in purchased:
            assert e == pytest.approx(want.get((v, loc), 0.0))


def test_quotes_and_open_orders_do_not_move_stock(ds):
    so, sl, m = ds.sales_orders, ds.sales_lines, ds.movements
    status = so.status[sl.order_id - 1]
    assert (status == SalesOrderStatus.QUOTE).any()
    assert (status == SalesOrderStatus.OPEN).any()
    moved = set(m.source_id[m.kind == MovementKind.SALE].tolist())
    assert moved == set(sl.id[status == SalesOrderStatus.DELIVERED].tolist())
    committed = sl.quantity[status == SalesOrderStatus.OPEN].sum()
    assert ds.stock_levels.committed.sum() == pytest.approx(committed)


def test_master_data_shape(ds):
    assert sum(loc.sales_allowed and not loc.purchase_allowed for loc in ds.locations) == 1
    assert any(s.currency != ds.base_currency for s in ds.suppliers)
    assert any(i.purchase_uom_conversion_rate > 1 for i in ds.items)
    assert any(v.config_attributes for v in ds.variants)
    parents = {b.product_variant_id for b in ds.bom_lines}
    ingredients = {b.ingredient_variant_id for b in ds.bom_lines}
    assert parents & ingredients, "BOMs should be multi-level"
    assert len({v.sku for v in ds.variants}) == len(ds.variants)
    assert ds.fx.rate("USD", ds.start_date + timedelta(days=40)) > 1.0
    assert ds.movements.at.max() < np.datetime64(ds.now.replace(tzinfo=None), "ms")
