"""Net position with provisional POs and provider-id matching; settings CSV round trips."""

from __future__ import annotations

from decimal import Decimal

from planner.domain.csv_io import HEADER, ScopeRow, export_csv, neutralise, parse_csv
from planner.domain.positions import PoLine, SubmittedLine, on_order

D = Decimal


def test_open_lines_count_and_closed_or_deleted_do_not() -> None:
    lines = [
        PoLine("p1", "a", "wh", D(40), "open"),
        PoLine("p1", "b", "wh", D(5), "partially_received"),
        PoLine("p2", "a", "wh", D(99), "draft"),
        PoLine("p3", "a", "wh", D(0), "received"),
        PoLine("p4", "a", "wh", D(7), "open", deleted=True),
        PoLine("p5", "a", "wh", D(11), "billed"),
    ]
    result = on_order(lines, [])
    assert result.synced == {("a", "wh"): D(40), ("b", "wh"): D(5)}
    assert result.provisional == {}


def test_po_sent_by_restock_counts_at_once_then_matches_by_provider_id() -> None:
    sent = [SubmittedLine("K-9", "a", "wh", D(120)), SubmittedLine(None, "a", "wh", D(500))]
    before = on_order([PoLine("p1", "a", "wh", D(40), "open")], sent)
    assert before.provisional == {("a", "wh"): D(120)}, "unsubmitted requests never count"
    assert before.total(("a", "wh")) == D(160)
    synced = [PoLine("p1", "a", "wh", D(40), "open"), PoLine("K-9", "a", "wh", D(120), "draft")]
    after = on_order(synced, sent)
    assert after.provisional == {}
    assert after.total(("a", "wh")) == D(160), "the synced draft counts: Restock sent it"
    received = on_order([PoLine("K-9", "a", "wh", D(0), "received")], sent)
    assert received.total(("a", "wh")) == D(0), "matched and received: nothing on order"


def test_export_neutralises_formula_cells_and_import_round_trips() -> None:
    rows = [
        ScopeRow(
            "global",
            "",
            "",
            {"service_level": "0.95", "demand_status_policy": ["open", "fulfilled"]},
        ),
        ScopeRow("supplier", "=HYPERLINK(1)", "", {"lead_time_days": "21"}),
        ScopeRow("product", "@v1", "-wh", {"moq": "50", "rounding_rule": "down"}),
    ]
    text = export_csv(rows)
    assert "'=HYPERLINK(1)" in text and "'@v1" in text and "'-wh" in text
    assert text.splitlines()[0].split(",") == list(HEADER)
    assert "open|fulfilled" in text
    parsed = parse_csv(text)
    assert parsed.errors == []
    assert [(r.scope, r.scope_id, r.location_id) for r in parsed.rows] == [
        ("global", "", ""),
        ("supplier", "=HYPERLINK(1)", ""),
        ("product", "@v1", "-wh"),
    ]
    assert parsed.rows[2].values["moq"] == "50" and parsed.rows[2].values["lead_time_days"] is None
    assert neutralise("+1") == "'+1" and neutralise("12") == "12"


def test_import_reports_every_bad_cell_with_its_row() -> None:
    text = (
        "scope,scope_id,location_id,service_level,moq\n"
        "global,,,0.9,\n"
        "planet,x,,,\n"
        "supplier,,,,\n"
        "product,v1,wh,1.5,-3\n"
        "product,v1,wh,0.9,\n"
        "product,v2,,0.9\n"
        "global,,,0.8,\n"
    )
    parsed = parse_csv(text)
    got = [(e.row, e.column) for e in parsed.errors]
    assert got == [
        (3, "scope"),
        (4, "scope_id"),
        (5, "service_level"),
        (5, "moq"),
        (7, None),
        (8, "scope_id"),
    ]
    assert [r.scope_id for r in parsed.rows] == ["", "v1"]


def test_import_rejects_unknown_columns_and_empty_files() -> None:
    assert parse_csv("").errors[0].message == "the file is empty"
    bad = parse_csv("scope,colour\nglobal,red\n")
    assert bad.errors[0].row == 1 and "colour" in bad.errors[0].message
