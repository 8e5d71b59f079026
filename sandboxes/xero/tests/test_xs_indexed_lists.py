"""Indexed list GETs answer exactly what a plain filter over the store answers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from xero_sandbox.config import Limits, OrgSpec
from xero_sandbox.msdates import parse_if_modified_since
from xero_sandbox.query import compile_where, sort_records
from xero_sandbox.store import Record
from xero_sandbox.testing import RunningSandbox, fast_config, running_sandbox

BIG = OrgSpec(name="Big Outdoor Ltd", seed=11, items=40, years=1.0)


@pytest.fixture(scope="module")
def big() -> Iterator[RunningSandbox]:
    config = fast_config(limits=Limits(enabled=False), auto_consent=True, organisations=(BIG,))
    with running_sandbox(config) as sb:
        yield sb


def expected(
    sb: RunningSandbox,
    where: str | None = None,
    order: str | None = None,
    since: str | None = None,
    statuses: tuple[str, ...] = (),
) -> list[str]:
    """The straightforward answer: every invoice in the store, filtered, then sorted."""
    rows: list[Record] = list(sb.sandbox.orgs[sb.tenant_ids[0]].collections["Invoices"].values())
    if since:
        instant: datetime = parse_if_modified_since(since)
        rows = [r for r in rows if r["UpdatedDateUTC"] > instant]
    if where:
        predicate = compile_where(where)
        rows = [r for r in rows if predicate(r)]
    if statuses:
        rows = [r for r in rows if r["Status"] in statuses]
    if order:
        rows = sort_records(rows, order)
    return [str(r["InvoiceID"]) for r in rows]


def listed(
    sb: RunningSandbox, token: dict[str, Any], since: str | None = None, **params: Any
) -> list[str]:
    headers = sb.api_headers(token, sb.tenant_ids[0])
    if since:
        headers["If-Modified-Since"] = since
    ids: list[str] = []
    page = 1
    while True:
        response = sb.http.get(
            f"{sb.api_url}/Invoices", params={**params, "page": page}, headers=headers
        )
        assert response.status_code == 200, response.text
        body = response.json()
        ids += [row["InvoiceID"] for row in body["Invoices"]]
        if page >= body["pagination"]["pageCount"]:
            assert len(ids) == body["pagination"]["itemCount"]
            return ids
        page += 1


CASES: list[dict[str, Any]] = [
    {"where": "Date >= DateTime(2026, 01, 01)", "order": "UpdatedDateUTC ASC"},
    {"where": 'Type=="ACCREC" && Status=="PAID"', "order": "Date DESC"},
    {"where": 'Type == "ACCPAY" AND Total > 100 && Date < DateTime(2026,3,1)', "order": None},
    {"where": 'Type=="ACCREC" || Status=="DRAFT"', "order": "InvoiceNumber DESC, Date"},
    {"where": 'Contact.Name.StartsWith("a") && UpdatedDateUTC >= DateTime(2026,1,1)'},
    {"where": 'Status != "PAID"', "order": "Total DESC", "since": "2026-03-01T00:00:00"},
    {"where": None, "order": "UpdatedDateUTC ASC", "since": "2026-02-01T00:00:00"},
    {"where": None, "order": None, "statuses": ("DRAFT", "AUTHORISED")},
]


@pytest.mark.parametrize("case", CASES)
def test_filtered_pages_match_plain_filter(big: RunningSandbox, case: dict[str, Any]) -> None:
    sb = big
    token = sb.connect()
    assert len(sb.sandbox.orgs[sb.tenant_ids[0]].collections["Invoices"]) > 2000
    params: dict[str, Any] = {"pageSize": 700}
    if case.get("where"):
        params["where"] = case["where"]
    if case.get("order"):
        params["order"] = case["order"]
    if case.get("statuses"):
        params["Statuses"] = ",".join(case["statuses"])
    want = expected(
        sb, case.get("where"), case.get("order"), case.get("since"), case.get("statuses", ())
    )
    assert want, "the case should select something"
    assert listed(sb, token, case.get("since"), **params) == want
    assert listed(sb, token, case.get("since"), **params) == want  # answered from the cache


def test_writes_invalidate_indexes(big: RunningSandbox) -> None:
    sb = big
    token = sb.connect()
    params = {"where": 'Type=="ACCREC" && Status=="PAID"', "order": "UpdatedDateUTC ASC"}
    before = listed(sb, token, **params, pageSize=1000)
    org = sb.sandbox.orgs[sb.tenant_ids[0]]
    target = next(
        r
        for r in org.collections["Invoices"].values()
        if r["Type"] == "ACCREC" and r["Status"] == "AUTHORISED"
    )
    sb.advance(60)
    sb.admin(
        "POST", f"/tenants/{sb.tenant_ids[0]}/invoices/{target['InvoiceID']}", {"Status": "PAID"}
    )
    after = listed(sb, token, **params, pageSize=1000)
    assert after == [*before, target["InvoiceID"]]
    assert after == expected(sb, params["where"], params["order"])
    one = sb.http.get(
        f"{sb.api_url}/Invoices",
        params={**params, "page": 1, "pageSize": 1000},
        headers=sb.api_headers(token, sb.tenant_ids[0]),
    ).json()["Invoices"]
    assert one[-1]["Status"] == "PAID"
