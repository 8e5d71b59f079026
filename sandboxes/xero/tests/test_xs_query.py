"""The where/order expression parser (pure functions, no server needed)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from xero_sandbox.query import QueryError, compile_where, sort_records

ROWS = [
    {
        "Type": "ACCREC",
        "Status": "PAID",
        "Date": date(2024, 3, 1),
        "Contact": {"ContactID": "AbC"},
        "Name": "Kea Ltd",
        "IsSupplier": True,
        "UpdatedDateUTC": datetime(2024, 3, 2, tzinfo=UTC),
    },
    {
        "Type": "ACCPAY",
        "Status": "DRAFT",
        "Date": date(2023, 12, 31),
        "Contact": {"ContactID": "def"},
        "Name": "Tui Co",
        "IsSupplier": False,
        "UpdatedDateUTC": datetime(2024, 1, 1, tzinfo=UTC),
    },
    {
        "Type": "ACCREC",
        "Status": "VOIDED",
        "Date": date(2024, 1, 1),
        "Contact": {"ContactID": "ghi"},
        "Name": None,
        "IsSupplier": False,
        "UpdatedDateUTC": datetime(2024, 2, 1, tzinfo=UTC),
    },
]


def matching(expr: str) -> list[int]:
    predicate = compile_where(expr)
    return [i for i, row in enumerate(ROWS) if predicate(row)]


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ('Type=="ACCREC"', [0, 2]),
        ('Type == "ACCREC" AND Status != "VOIDED"', [0]),
        ('Status=="PAID" || Status=="DRAFT"', [0, 1]),
        ("Date >= DateTime(2024, 01, 01)", [0, 2]),
        ("Date < DateTime(2024,01,01)", [1]),
        ("UpdatedDateUTC>=DateTime(2024,02,01,00,00,00)", [0, 2]),
        ("IsSupplier==true", [0]),
        ('Contact.ContactID==Guid("ABC")', [0]),
        ('Name.Contains("ea")', [0]),
        ('Name.StartsWith("tui")', [1]),
        ("Name==null", [2]),
        ('!(Type=="ACCREC")', [1]),
        ('(Type=="ACCREC" || Type=="ACCPAY") && Date>=DateTime(2024,1,1)', [0, 2]),
    ],
)
def test_where_expressions(expr: str, expected: list[int]) -> None:
    assert matching(expr) == expected


@pytest.mark.parametrize(
    "expr",
    ['Type=="ACCREC" &&', "Date>=DateTime(2024)", '__import__("os")', "Type===1", 'Name.Eval("x")'],
)
def test_bad_expressions_are_rejected(expr: str) -> None:
    with pytest.raises(QueryError):
        compile_where(expr)


def test_order_by_several_fields() -> None:
    ordered = sort_records(ROWS, "Type ASC, Date DESC")
    assert [r["Date"] for r in ordered] == [date(2023, 12, 31), date(2024, 3, 1), date(2024, 1, 1)]
    assert sort_records(ROWS, "UpdatedDateUTC")[0]["Status"] == "DRAFT"
    with pytest.raises(QueryError):
        sort_records(ROWS, "Date SIDEWAYS")
