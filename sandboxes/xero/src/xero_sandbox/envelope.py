"""Response envelope, listing (filter/order/page) and number formatting shared by routes."""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from xero_sandbox.errors import ApiError, api_exception, problem
from xero_sandbox.index import index_of, indexed_select
from xero_sandbox.msdates import ms_date_plain, parse_if_modified_since
from xero_sandbox.query import Predicate, QueryError, compile_where, sort_records
from xero_sandbox.runtime import sandbox_of
from xero_sandbox.store import Org, Record, render

_PRICE_KEYS = ("UnitAmount", "UnitPrice")


def org_of(request: Request) -> Org:
    """The organisation the gate resolved from ``xero-tenant-id``."""
    org: Org = request.state.org
    return org


def envelope(
    request: Request, collection: str, rows: list[Record], pagination: dict[str, int] | None = None
) -> JSONResponse:
    """Xero's response envelope around a collection."""
    sandbox = sandbox_of(request)
    body: dict[str, Any] = {
        "Id": str(uuid.uuid4()),
        "Status": "OK",
        "ProviderName": sandbox.config.provider_name,
        "DateTimeUTC": ms_date_plain(sandbox.clock.now()),
    }
    if pagination is not None:
        body["pagination"] = pagination
    body[collection] = rows
    return JSONResponse(body)


def not_found() -> JSONResponse:
    """Xero's 404."""
    return problem(404, "The resource you're looking for cannot be found")


def _round_prices(value: Any, dp: int) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            if (
                key in _PRICE_KEYS
                and isinstance(inner, int | float)
                and not isinstance(inner, bool)
            ):
                value[key] = round(float(inner), dp)
            else:
                _round_prices(inner, dp)
    elif isinstance(value, list):
        for inner in value:
            _round_prices(inner, dp)


def rendered(
    request: Request, collection: str, records: Iterable[Record], with_lines: bool
) -> list[Record]:
    """Render records, rounding unit prices to ``unitdp`` (2 by default, 4 allowed)."""
    dp = 4 if request.query_params.get("unitdp") == "4" else 2
    out = [render(collection, r, with_lines) for r in records]
    _round_prices(out, dp)
    return out


def csv_param(request: Request, name: str) -> list[str] | None:
    """A comma-separated query parameter (case-insensitive name), or None."""
    for key, value in request.query_params.items():
        if key.lower() == name.lower() and value.strip():
            return [v.strip() for v in value.split(",") if v.strip()]
    return None


def param(request: Request, name: str) -> str | None:
    """A query parameter looked up case-insensitively."""
    for key, value in request.query_params.items():
        if key.lower() == name.lower():
            return value
    return None


_PAGING_PARAMS = {"page", "pagesize", "unitdp", "summaryonly"}


def select(
    request: Request,
    collection: str,
    filters: list[Predicate],
    use_where: bool = True,
) -> list[Record]:
    """Apply If-Modified-Since, ``where``, extra filters and ``order`` to a collection.

    GETs go through the organisation's indexes (``xero_sandbox.index``); the answer is
    the same as the plain filter-then-sort below, which remains the fallback.
    """
    org = org_of(request)
    since = request.headers.get("if-modified-since")
    try:
        instant = parse_if_modified_since(since) if since else None
        where = param(request, "where")
        if not (use_where and where and where.strip()):
            where = None
        if where is not None:
            filters = [compile_where(where), *filters]
        order = param(request, "order")
        order = order if order and order.strip() else None
        if request.method == "GET":
            key = (
                collection,
                use_where,
                since,
                *(
                    kv
                    for kv in request.query_params.multi_items()
                    if kv[0].lower() not in _PAGING_PARAMS
                ),
            )
            index = index_of(org, collection)
            found = indexed_select(index, key, instant, where, filters, order)
            if found is not None:
                return found
        return plain_select(org, collection, instant, filters, order)
    except (QueryError, ValueError, TypeError) as exc:
        raise ApiError(api_exception(str(exc), 16, "QueryParseException")) from exc


def plain_select(
    org: Org,
    collection: str,
    instant: datetime | None,
    filters: list[Predicate],
    order: str | None,
) -> list[Record]:
    """The unindexed listing: filter every record, then sort."""
    records: list[Record] = list(org.collections[collection].values())
    if instant is not None:
        records = [r for r in records if r["UpdatedDateUTC"] > instant]
    records = [r for r in records if all(f(r) for f in filters)]
    if order is not None:
        records = sort_records(records, order)
    return records


def paginate(request: Request, records: list[Record]) -> tuple[list[Record], dict[str, int] | None]:
    """Slice by ``page``/``pageSize`` (1-based, default 100, at most 1000)."""
    page_text = param(request, "page")
    if page_text is None:
        return records, None
    try:
        page = max(1, int(page_text))
        size_text = param(request, "pageSize")
        size = min(1000, max(1, int(size_text))) if size_text else 100
    except ValueError as exc:
        raise ApiError(api_exception("page and pageSize must be integers")) from exc
    count = len(records)
    pagination = {
        "page": page,
        "pageSize": size,
        "pageCount": max(1, math.ceil(count / size)) if count else 0,
        "itemCount": count,
    }
    return records[(page - 1) * size : page * size], pagination
