"""The effective supplier: product setting > provider default > last PO > none, with its
source; the supplier it picks drives supplier-level settings, plan columns and the CSV."""

from __future__ import annotations

import pytest
from pl_support import flat_forecast, snapshot

from planner.domain.csv_io import HEADER, ScopeRow, export_csv, parse_csv
from planner.domain.errors import SettingError
from planner.domain.planning import compute_plan
from planner.domain.resolution import effective_settings, effective_suppliers
from planner.domain.settings import changed_keys, check_scope, parse_value
from planner.domain.snapshot import Sku, Snapshot, Supplier


def _snap() -> Snapshot:
    skus = {
        "set": Sku("set", "Set", default_supplier_id="katana-sup"),
        "kat": Sku("kat", "Katana", default_supplier_id="katana-sup"),
        "xero": Sku("xero", "Xero item"),
        "none": Sku("none", "No supplier anywhere"),
        "loc": Sku("loc", "Per location"),
    }
    return snapshot(
        skus=skus,
        last_po_supplier={"set": "c-old", "kat": "c-old", "xero": "c-7", "loc": "c-7"},
        product_settings={
            ("set", ""): {"supplier_id": "chosen"},
            ("loc", ""): {"supplier_id": "everywhere"},
            ("loc", "shop"): {"supplier_id": "shop-only"},
        },
    )


def test_supplier_precedence_with_sources() -> None:
    keys = [("set", "wh"), ("kat", "wh"), ("xero", "wh"), ("none", "wh")]
    keys += [("loc", "wh"), ("loc", "shop")]
    ids, sources = effective_suppliers(_snap(), keys)
    assert ids == ["chosen", "katana-sup", "c-7", None, "everywhere", "shop-only"]
    assert sources == [
        "product_override",
        "provider",
        "last_purchase_order",
        "none",
        "product_override",
        "product_override",
    ]


def test_the_effective_supplier_picks_supplier_settings_and_plan_columns() -> None:
    snap = snapshot(
        primary_source="xero",
        skus={"a": Sku("a", "Widget", sku="W-1", cost=2.0, price=5.0)},
        suppliers={"c-7": Supplier("c-7", "Contact Seven", "NZD", lead_time_days=None)},
        supplier_settings={"c-7": {"lead_time_days": "30", "moq": "500"}},
        last_po_supplier={"a": "c-7"},
        forecasts={("a", "wh"): flat_forecast(10.0)},
    )
    eff = effective_settings(snap, [("a", "wh")])
    assert eff.supplier_ids == ["c-7"] and eff.supplier_sources == ["last_purchase_order"]
    assert eff.values["lead_time_days"].tolist() == [30.0], "the contact's supplier setting"
    out = compute_plan(snap)
    cols = out.columns
    assert (cols["supplier_id"], cols["supplier_name"], cols["supplier_currency"]) == (
        ["c-7"],
        ["Contact Seven"],
        ["NZD"],
    )
    assert cols["order_qty"][0] == 500.0, "MOQ of the contact's settings"
    assert cols["settings"][0]["supplier_id"] == {"value": "c-7", "source": "last_purchase_order"}
    assert cols["settings"][0]["moq"]["source"] == "supplier"


def test_supplier_id_is_validated_and_a_product_only_setting() -> None:
    assert parse_value("supplier_id", "  c-7 ") == "c-7"
    assert parse_value("supplier_id", "") is None
    assert parse_value("supplier_id", 42) == "42"
    for bad in ("x" * 65, "a\nb", True, 1.5, ["c"]):
        with pytest.raises(SettingError):
            parse_value("supplier_id", bad)
    check_scope("product", {"supplier_id": "c-7"})
    check_scope("supplier", {"supplier_id": None})
    with pytest.raises(SettingError, match="product"):
        check_scope("global", {"supplier_id": "c-7"})
    assert changed_keys({}, {"supplier_id": "c-7"}) == [], "not a contract key"
    assert changed_keys({}, {"supplier_id": "c", "moq": "5"}) == ["moq"]


def test_supplier_id_round_trips_through_the_csv_and_only_on_product_rows() -> None:
    assert HEADER[-1] == "supplier_id"
    text = export_csv([ScopeRow("product", "v1", "", {"supplier_id": "=c-7", "moq": "5"})])
    assert "'=c-7" in text
    parsed = parse_csv(text)
    assert parsed.errors == [] and parsed.rows[0].values["supplier_id"] == "=c-7"
    bad = parse_csv("scope,scope_id,location_id,supplier_id\nsupplier,s1,,c-7\nglobal,,,c-7\n")
    assert [(e.row, e.column) for e in bad.errors] == [(2, "supplier_id"), (3, "supplier_id")]
    old = parse_csv("scope,scope_id,location_id,moq\nproduct,v1,,5\n")
    assert old.errors == [] and "supplier_id" not in old.rows[0].values
