"""The plan computation wired around restock_policy: hand-computed rows and edge cases.

Flat forecasts (10/day, every quantile = the mean) make the arithmetic exact:
L = 21, R = 14 → E[D_L] = 210 = reorder point, E[D_{L+R}] = 350 = order-up-to.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from pl_support import TODAY, flat_forecast, snapshot

from planner.domain.planning import compute_plan
from planner.domain.positions import OnOrder
from planner.domain.snapshot import Location, Sku, Supplier

GLOBAL = {"lead_time_days": "21", "review_period_days": 14}


def _row(out: object, key: tuple[str, str]) -> dict[str, object]:
    cols = out.columns  # type: ignore[attr-defined]
    i = out.rows.keys.index(key)  # type: ignore[attr-defined]
    return {
        name: (values[i] if not isinstance(values, dict) else None) for name, values in cols.items()
    }


def test_reorder_arithmetic_pack_size_moq_and_purchase_uom() -> None:
    snap = snapshot(
        skus={
            "a": Sku(
                "a",
                "Widget",
                cost=2.0,
                price=5.0,
                purchase_uom_factor=12.0,
                default_supplier_id="s1",
            )
        },
        suppliers={"s1": Supplier("s1", "Acme", "USD")},
        stock={("a", "wh"): (120.0, 20.0)},
        on_order=OnOrder({("a", "wh"): 100}, {}),
        global_settings=GLOBAL,
        product_settings={("a", ""): {"order_multiple": "50"}},
    )
    row = _row(compute_plan(snap), ("a", "wh"))
    assert row["net_position"] == 200.0  # 120 − 20 committed + 100
    assert row["reorder_point"] == pytest.approx(210.0)
    assert row["order_up_to"] == pytest.approx(350.0)
    assert row["raw_need"] == pytest.approx(150.0)
    assert row["order_qty_purchase_uom"] == 13.0  # 150 → pack 50 → 150 / 12 = 12.5 → 13 cases
    assert row["order_qty"] == 156.0
    assert row["status"] == "understocked" and row["action"] == "buy"
    assert row["supplier_currency"] == "USD"
    assert "lead time 21 d + review 14 d → 35 d of demand" in str(row["explanation"])
    assert "order 350 − 200 = 150" in str(row["explanation"])
    snap.product_settings[("a", "")] = {"moq": "1000"}
    huge = _row(compute_plan(snap), ("a", "wh"))
    assert huge["order_qty"] == 1008.0, "a huge MOQ wins, then whole purchase units"
    snap.global_settings = {**GLOBAL, "stock_basis": "gross"}
    gross = _row(compute_plan(snap), ("a", "wh"))
    assert gross["net_position"] == 220.0 and gross["order_qty"] == 0.0, "220 > ROP 210"


def test_eoq_fill_rate_stockout_dates_and_shortage_and_excess_value() -> None:
    """10/day, L 21, R 14, cost 2, price 5: the money and date columns of a row."""
    snap = snapshot(global_settings={**GLOBAL, "ordering_cost": "40"})
    row = _row(compute_plan(snap), ("a", "wh"))
    assert row["days_until_stockout"] == 10.0  # net 100 / 10 per day
    assert row["latest_order_date"] == np.datetime64(TODAY, "D"), "10 d of stock < L 21"
    assert row["shortage_units"] == pytest.approx(110.0)  # E[(D_L − net)+] = 210 − 100
    assert row["shortage_cost"] == pytest.approx(330.0), "lost margin: 110 × (5 − 2)"
    eoq = (2 * 3650 * 40 / (0.25 * 2)) ** 0.5  # yearly demand, ordering cost, holding × cost
    assert row["eoq"] == pytest.approx(eoq)
    assert row["order_qty"] == np.ceil(eoq), "EOQ 764.2 beats the need 250, whole units"
    assert row["expected_fill_rate"] == pytest.approx(1.0), "deterministic demand at OUT"
    snap.stock[("a", "wh")] = (1000.0, 0.0)
    snap.global_settings = GLOBAL
    over = _row(compute_plan(snap), ("a", "wh"))
    assert over["status"] == "overstocked" and over["order_qty"] == 0.0
    assert not np.isfinite(over["eoq"]), "no ordering cost → no EOQ"  # type: ignore[arg-type]
    assert over["excess_units"] == pytest.approx(650.0)  # net 1000 − OUT 350
    assert over["excess_value"] == pytest.approx(1300.0)
    assert over["latest_order_date"] == np.datetime64("2026-08-19"), "today + 100 d − 21 d"
    assert over["shortage_cost"] == pytest.approx(0.0)


def test_status_text_says_what_to_do_and_by_when() -> None:
    snap = snapshot(
        skus={
            "a": Sku("a", "Low", uom="pcs"),
            "b": Sku("b", "Fine"),
            "c": Sku("c", "Heap"),
            "d": Sku("d", "Old", discontinued=True),
            "e": Sku("e", "Dead"),
        },
        stock={(v, "wh"): (q, 0.0) for v, q in zip("abcde", (100.0, 300.0, 1000.0, 500.0, 5.0))},
        forecasts={(v, "wh"): flat_forecast(0.0 if v == "e" else 10.0) for v in "abcde"},
        global_settings=GLOBAL,
    )
    out = compute_plan(snap)
    text = dict(zip((k[0] for k in out.rows.keys), out.columns["status_text"], strict=True))
    assert text["a"] == "order 250 pcs now: stock lasts 10 d, lead time 21 d"
    assert text["b"] == "ok: reorder in 9 d (by 2026-06-10)"  # 30 d of stock − L 21
    assert text["c"] == "overstocked: 650 above the order-up-to level"
    assert text["d"] == "discontinued: not reordered, 150 in excess"  # 500 − 350
    assert text["e"] == "overstocked: 5 above the order-up-to level"


def test_zero_demand_negative_stock_and_missing_lead_time() -> None:
    snap = snapshot(
        skus={"z": Sku("z", "Zero", cost=3.0), "n": Sku("n", "Neg", cost=1.0)},
        stock={("z", "wh"): (30.0, 0.0), ("n", "wh"): (-5.0, 0.0)},
        forecasts={("z", "wh"): flat_forecast(0.0), ("n", "wh"): flat_forecast(1.0)},
    )
    out = compute_plan(snap)
    zero, neg = _row(out, ("z", "wh")), _row(out, ("n", "wh"))
    assert zero["order_qty"] == 0.0 and zero["status"] == "overstocked"
    assert zero["excess_value"] == pytest.approx(90.0)
    assert zero["lead_time_days"] == 14.0, "no lead time anywhere → documented default"
    assert out.columns["settings"][0]["lead_time_days"]["source"] == "default"
    assert np.isinf(zero["days_until_stockout"])  # type: ignore[arg-type]
    assert neg["net_position"] == -5.0 and neg["days_until_stockout"] == 0.0
    assert neg["order_qty"] == pytest.approx(21.0 + 5.0)  # OUT 21 (14 + 7 d) − (−5)
    assert neg["inventory_value"] == 0.0, "negative stock is worth nothing"


def test_sales_only_location_rolls_up_into_its_purchasing_location() -> None:
    snap = snapshot(
        locations={"shop": Location("shop", True, "wh")},
        stock={("a", "wh"): (100.0, 0.0), ("a", "shop"): (15.0, 5.0)},
        on_order=OnOrder({("a", "shop"): 3}, {("a", "wh"): 7}),
        global_settings=GLOBAL,
    )
    out = compute_plan(snap)
    assert out.rows.keys == [("a", "wh")]
    row = _row(out, ("a", "wh"))
    assert row["on_hand"] == 115.0 and row["committed"] == 5.0 and row["on_order"] == 10.0
    assert row["provisional_on_order"] == 7.0
    assert row["rolled_up_locations"] == ["shop"]


def test_manufactured_parents_explode_through_a_multi_level_bom() -> None:
    snap = snapshot(
        skus={
            "kit": Sku("kit", "Kit", is_manufactured=True),
            "sub": Sku("sub", "Sub-assembly", is_manufactured=True),
            "bolt": Sku("bolt", "Bolt"),
        },
        stock={("kit", "wh"): (0.0, 0.0)},
        forecasts={("kit", "wh"): flat_forecast(2.0), ("bolt", "wh"): flat_forecast(1.0)},
        bom=[("kit", "sub", 3.0), ("sub", "bolt", 4.0)],
        global_settings={"lead_time_days": "7", "review_period_days": 7},
    )
    out = compute_plan(snap)
    assert out.rows.keys == [("bolt", "wh"), ("kit", "wh"), ("sub", "wh")]
    sub, bolt, kit = (_row(out, (v, "wh")) for v in ("sub", "bolt", "kit"))
    assert sub["dependent_demand_daily"] == pytest.approx(6.0)  # 2 kits × 3
    assert bolt["dependent_demand_daily"] == pytest.approx(24.0)  # 6 subs × 4
    assert bolt["demand_ltr_mean"] == pytest.approx((1.0 + 24.0) * 14)
    assert kit["action"] == "make" and sub["action"] == "make" and bolt["action"] == "buy"
    assert str(kit["explanation"]).startswith("make (manufactured, not a PO)")


def test_bom_cycle_is_reported_not_planned() -> None:
    snap = snapshot(
        skus={"x": Sku("x", "X", is_manufactured=True), "y": Sku("y", "Y", is_manufactured=True)},
        stock={("x", "wh"): (0.0, 0.0)},
        forecasts={("x", "wh"): flat_forecast(1.0)},
        bom=[("x", "y", 1.0), ("y", "x", 1.0)],
    )
    with pytest.raises(ValueError, match="cycle"):
        compute_plan(snap)


def test_old_forecast_is_shifted_to_today_and_discontinued_items_never_order() -> None:
    path = flat_forecast(5.0, as_of=date(2026, 5, 22))
    path.mean_daily[:10] = 100.0  # elapsed days must not count as future demand
    snap = snapshot(
        skus={"a": Sku("a", "A", cost=1.0, discontinued=True)},
        stock={("a", "wh"): (50.0, 0.0)},
        forecasts={("a", "wh"): path},
    )
    row = _row(compute_plan(snap), ("a", "wh"))
    assert (TODAY - date(2026, 5, 22)).days == 10
    assert row["status"] == "discontinued" and row["order_qty"] == 0.0
    assert row["days_until_stockout"] == 10.0  # 50 / 5 per day


def test_a_tenant_without_data_gets_an_empty_plan() -> None:
    out = compute_plan(snapshot(skus={}, stock={}, forecasts={}))
    assert out.n == 0 and out.columns["settings"] == []
