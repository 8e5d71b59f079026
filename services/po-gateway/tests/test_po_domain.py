"""Pure logic: the state machine, drafting from plan rows, validation, numbering."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest

from po_gateway.domain import numbering
from po_gateway.domain.drafting import PlanRow, Selection, build_drafts, unit_price
from po_gateway.domain.errors import InvalidTransition
from po_gateway.domain.states import Action, PoStatus, allowed_actions, can_delete, next_status
from po_gateway.domain.validation import header_errors, line_errors, ready_errors

TODAY = date(2026, 6, 1)


def row(variant: str, supplier: str | None = "s1", location: str = "wh", **kw: object) -> PlanRow:
    base: dict[str, object] = {
        "variant_id": variant,
        "location_id": location,
        "supplier_id": supplier,
        "sku": f"SKU-{variant}",
        "name": f"Thing {variant}",
        "supplier_currency": "EUR",
        "uom": "pcs",
        "purchase_uom": "box",
        "purchase_uom_factor": Decimal(10),
        "order_qty": Decimal(50),
        "order_qty_purchase_uom": Decimal(5),
        "unit_cost": Decimal(2),
        "lead_time_days": Decimal(21),
        "po_status_on_create": "NOT_RECEIVED",
    }
    base.update(kw)
    return PlanRow(**base)  # type: ignore[arg-type]


def test_happy_path_draft_to_sent() -> None:
    s = next_status(PoStatus.DRAFT, Action.APPROVE)
    s = next_status(s, Action.SEND)
    assert s is PoStatus.SENDING
    assert next_status(s, Action.SUBMITTED) is PoStatus.SENT


def test_failure_retry_only_when_retryable() -> None:
    failed = next_status(PoStatus.SENDING, Action.FAILED)
    assert failed is PoStatus.FAILED
    assert next_status(failed, Action.RETRY, retryable=True) is PoStatus.SENDING
    with pytest.raises(InvalidTransition) as err:
        next_status(failed, Action.RETRY, retryable=False)
    assert "reopen" in (err.value.hint or "")
    assert next_status(failed, Action.REOPEN) is PoStatus.DRAFT


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (PoStatus.SENDING, Action.SEND),
        (PoStatus.SENT, Action.SEND),
        (PoStatus.APPROVED, Action.APPROVE),
        (PoStatus.APPROVED, Action.EDIT),
        (PoStatus.SENDING, Action.EDIT),
        (PoStatus.SENT, Action.SUBMITTED),
        (PoStatus.SENT, Action.FAILED),
        (PoStatus.DRAFT, Action.SEND),
        (PoStatus.SENDING, Action.DELETE),
        (PoStatus.SENT, Action.REOPEN),
    ],
)
def test_forbidden_transitions(status: PoStatus, action: Action) -> None:
    with pytest.raises(InvalidTransition):
        next_status(status, action, retryable=True)


def test_late_success_wins_over_failure_and_allowed_actions() -> None:
    assert next_status(PoStatus.FAILED, Action.SUBMITTED) is PoStatus.SENT
    assert next_status(PoStatus.DRAFT, Action.SUBMITTED) is PoStatus.SENT
    assert allowed_actions(PoStatus.DRAFT) == ["edit", "delete", "approve"]
    assert allowed_actions(PoStatus.APPROVED) == ["delete", "send", "reopen"]
    assert allowed_actions(PoStatus.FAILED, retryable=True) == ["retry", "reopen"]
    assert allowed_actions(PoStatus.FAILED, retryable=False) == ["reopen"]
    assert allowed_actions(PoStatus.SENT) == [] and allowed_actions(PoStatus.SENDING) == []
    assert can_delete(PoStatus.APPROVED) and not can_delete(PoStatus.FAILED)


def test_drafts_one_per_supplier_and_location_and_report_missing_supplier() -> None:
    rows = [
        row("a"),
        row("b"),
        row("c", location="shop"),
        row("d", supplier="s2", supplier_currency="USD"),
        row("e", supplier=None),
        row("f", order_qty_purchase_uom=Decimal(0)),
    ]
    result = build_drafts(
        rows,
        Selection(),
        base_currency="EUR",
        fx_rates={"USD": (Decimal("0.8"), "provider")},
        today=TODAY,
    )
    keys = [(d.supplier_id, d.location_id, [x.variant_id for x in d.lines]) for d in result.drafts]
    assert keys == [("s1", "shop", ["c"]), ("s1", "wh", ["a", "b"]), ("s2", "wh", ["d"])]
    assert result.without_supplier == [{"variant_id": "e", "location_id": "wh", "sku": "SKU-e"}]
    usd = result.drafts[2]
    assert (usd.currency, usd.fx_rate_to_base, usd.fx_source) == ("USD", Decimal("0.8"), "provider")
    assert usd.lines[0].unit_price == Decimal("25.0000"), "2 EUR × 10 per box / 0.8"
    eur = result.drafts[1]
    assert eur.fx_rate_to_base == 1 and eur.lines[0].unit_price == Decimal("20.0000")
    assert eur.lines[0].quantity == Decimal(5), "purchase units"
    assert eur.expected_arrival == date(2026, 6, 22)


def test_selected_lines_filters_and_missing_fx() -> None:
    rows = [row("a"), row("b"), row("d", supplier="s2", supplier_currency="GBP")]
    chosen = Selection(lines=(("b", "wh"), ("zz", "wh"), ("d", "wh")))
    result = build_drafts(rows, chosen, base_currency="EUR", fx_rates={}, today=TODAY)
    assert [[x.variant_id for x in d.lines] for d in result.drafts] == [["b"]]
    assert result.not_in_plan == [{"variant_id": "zz", "location_id": "wh"}]
    assert result.missing_fx == ["GBP"]
    only_s2 = build_drafts(
        rows, Selection(supplier_id="s2"), base_currency="GBP", fx_rates={}, today=TODAY
    )
    assert [d.supplier_id for d in only_s2.drafts] == ["s2"]


def test_prices_and_arrival_edge_cases() -> None:
    assert unit_price(None, Decimal(10), Decimal(1)) == 0
    result = build_drafts(
        [row("a", lead_time_days=Decimal("2.5"), unit_cost=Decimal("1.23456"))],
        Selection(),
        base_currency="EUR",
        fx_rates={},
        today=TODAY,
    )
    assert result.drafts[0].expected_arrival == date(2026, 6, 4)
    assert result.drafts[0].lines[0].unit_price == Decimal("12.3456")


def test_validation_messages_name_the_field() -> None:
    assert header_errors({"expected_arrival": date(2026, 5, 1)}, TODAY)[0]["field"] == (
        "expected_arrival"
    )
    assert header_errors({"notes": "x" * 4001}, TODAY)[0]["field"] == "notes"
    assert header_errors({"fx_rate_to_base": Decimal(0)}, TODAY)[0]["field"] == "fx_rate_to_base"
    assert header_errors({"expected_arrival": TODAY, "notes": "ok"}, TODAY) == []
    assert [e["field"] for e in line_errors({"quantity": Decimal(0), "unit_price": -1})] == [
        "quantity",
        "unit_price",
    ]
    assert ready_errors({}, [], TODAY) == [
        {"field": "lines", "message": "a purchase order needs at least one line"}
    ]
    bad = ready_errors({"expected_arrival": date(2026, 5, 2)}, [{"quantity": Decimal(-1)}], TODAY)
    assert [e["field"] for e in bad] == ["lines[0].quantity", "expected_arrival"]


def test_numbering_is_deterministic_per_draft() -> None:
    draft = uuid.uuid4()
    assert numbering.submission_id(draft) == numbering.submission_id(draft)
    assert numbering.order_number(draft) == "RS-" + draft.hex[:12].upper()
    sub = numbering.submission_id(draft)
    assert numbering.request_event_id(sub, 1) != numbering.request_event_id(sub, 2)
    assert numbering.request_event_id(sub, 2) == numbering.request_event_id(sub, 2)
    assert numbering.submission_id(uuid.uuid4()) != sub
