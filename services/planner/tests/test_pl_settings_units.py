"""Settings: validation, precedence with sources, learned lead times, re-forecast flags."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
from pl_support import snapshot

from planner.domain.errors import SettingError
from planner.domain.resolution import SOURCE_NAMES, effective_settings
from planner.domain.settings import (
    changed_keys,
    decode,
    encode,
    parse_value,
    requires_reforecast,
    resolve,
)
from planner.domain.snapshot import Receipt, Sku, Supplier


def _receipts(variant: str, supplier: str, days: list[int]) -> list[Receipt]:
    start = date(2026, 1, 1)
    return [Receipt(variant, supplier, start, start + timedelta(days=d)) for d in days]


def _skus() -> dict[str, Sku]:
    return {
        v: Sku(v, v, default_supplier_id="s1", lead_time_days=lt, moq=moq)
        for v, lt, moq in (
            ("p", 5.0, 10.0),
            ("q", None, None),
            ("r", None, None),
            ("s", None, None),
        )
    }


def test_precedence_picks_first_set_level_and_names_its_source() -> None:
    keys = [("p", "wh"), ("q", "wh"), ("r", "wh"), ("s", "wh"), ("s", "shop")]
    snap = snapshot(
        skus=_skus(),
        suppliers={"s1": Supplier("s1", "Sup", "EUR", lead_time_days=30)},
        receipts=_receipts("q", "s1", [10, 12, 14]) + _receipts("r", "s1", [8, 9]),
        global_settings={"lead_time_days": "40", "service_level": "0.9"},
        supplier_settings={"s1": {"service_level": "0.97"}},
        product_settings={
            ("p", ""): {"lead_time_days": "3"},
            ("s", "shop"): {"moq": "7"},
            ("s", ""): {"moq": "99"},
        },
    )
    eff = effective_settings(snap, keys)
    lt, src = eff.values["lead_time_days"], eff.sources["lead_time_days"]
    assert lt.tolist() == [3.0, 12.0, 30.0, 30.0, 30.0]
    assert SOURCE_NAMES[src].tolist() == [
        "product_override",
        "learned",
        "supplier",
        "supplier",
        "supplier",
    ]
    assert eff.values["lead_time_std_days"][1] == pytest.approx(2.0)
    assert np.isnan(eff.learned_mean[2]) and eff.receipts[2] == 2, "2 receipts are not enough"
    assert eff.values["moq"].tolist()[0] == 10.0  # provider MOQ
    assert SOURCE_NAMES[eff.sources["moq"]].tolist()[0] == "provider"
    assert eff.values["moq"].tolist()[3:] == [99.0, 7.0], "a location override beats all-locations"
    assert eff.values["service_level"].tolist() == [0.97] * 5
    assert SOURCE_NAMES[eff.sources["holding_cost_rate"]].tolist()[0] == "default"


def test_provider_beats_learned_and_missing_lead_time_falls_to_default() -> None:
    snap = snapshot(skus=_skus(), receipts=_receipts("p", "s1", [20, 20, 20]))
    eff = effective_settings(snap, [("p", "wh"), ("q", "wh")])
    assert eff.values["lead_time_days"].tolist() == [5.0, 14.0]
    assert eff.learned_mean[0] == 20.0, "the learned value is still shown beside"
    assert decode("po_status_on_create", eff.values["po_status_on_create"][0]) == "NOT_RECEIVED"
    xero = effective_settings(snapshot(skus=_skus(), primary_source="xero"), [("q", "wh")])
    assert decode("po_status_on_create", xero.values["po_status_on_create"][0]) == "DRAFT"


def test_resolve_is_vectorised_first_finite() -> None:
    nan = np.nan
    values, sources = resolve(
        [
            ("product_override", np.array([1.0, nan, nan])),
            ("global", np.array([2.0, 2.0, nan])),
            ("default", np.array([3.0, 3.0, 3.0])),
        ]
    )
    assert values.tolist() == [1.0, 2.0, 3.0]
    assert sources.tolist() == [0, 4, 5]


@pytest.mark.parametrize(
    ("key", "raw", "expected"),
    [
        ("service_level", "0.950", "0.95"),
        ("review_period_days", "14", 14),
        ("rounding_rule", "DOWN", "down"),
        ("demand_status_policy", "fulfilled|open", ["open", "fulfilled"]),
        ("moq", "", None),
        ("po_status_on_create", "authorised", "AUTHORISED"),
    ],
)
def test_parse_value_canonicalises(key: str, raw: str, expected: object) -> None:
    assert parse_value(key, raw) == expected
    if expected is not None:
        assert decode(key, encode(key, expected)) == expected


@pytest.mark.parametrize(
    ("key", "raw"),
    [
        ("service_level", "1"),
        ("service_level", "0"),
        ("review_period_days", "0"),
        ("review_period_days", "1.5"),
        ("moq", "-1"),
        ("moq", "abc"),
        ("nope", "1"),
        ("rounding_rule", "nearest"),
        ("demand_status_policy", "shipped"),
        ("order_multiple", "0"),
    ],
)
def test_parse_value_rejects(key: str, raw: str) -> None:
    with pytest.raises(SettingError):
        parse_value(key, raw)


def test_only_policy_and_horizon_need_a_reforecast() -> None:
    assert changed_keys({"moq": "5"}, {"moq": "6"}) == ["moq"]
    assert not requires_reforecast(["moq", "service_level"])
    keys = changed_keys({}, {"lead_time_days": "21"})
    assert keys == ["lead_time_days", "backtest_horizon_days"] and requires_reforecast(keys)
    assert requires_reforecast(changed_keys({}, {"demand_status_policy": ["open"]}))
    assert changed_keys({}, {"safety_stock_override_days": "3"}) == ["safety_stock_override"]
