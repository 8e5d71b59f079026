"""One paging, sorting and filtering convention for every list endpoint (architecture §3).

* paging: ``?page=1&page_size=50`` (page_size ≤ 500) → ``{"items", "page", "page_size",
  "total", "total_pages"}``;
* sorting: ``?sort=field`` ascending, ``?sort=-field`` descending, comma-separated for
  ties, only over the fields the endpoint allows (unknown field → 422);
* filters: plain query parameters named after the field (``?status=understocked``), and
  ``q`` for free-text search.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel
from sqlalchemy import Select, asc, desc, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from platform_kit.http.problems import Problem

T = TypeVar("T")
MAX_PAGE_SIZE = 500


class Page(BaseModel, Generic[T]):
    """A page of results."""

    items: list[T]
    page: int
    page_size: int
    total: int
    total_pages: int


@dataclass(frozen=True)
class PageParams:
    page: int
    page_size: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


def page_params(
    page: Annotated[int, Query(ge=1, le=1_000_000, description="1-based page number")] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Rows per page")] = 50,
) -> PageParams:
    return PageParams(page, page_size)


PageDep = Annotated[PageParams, Depends(page_params)]


@dataclass(frozen=True)
class SortKey:
    field: str
    descending: bool


def parse_sort(
    raw: str | None, allowed: Sequence[str], default: str | None = None
) -> list[SortKey]:
    """Parse ``sort`` (``a,-b``) against the allowed field names; 422 on anything else."""
    text = raw or default or ""
    keys: list[SortKey] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        descending = part.startswith("-")
        name = part.lstrip("+-")
        if name not in allowed:
            raise Problem(
                422, "Invalid sort", f"cannot sort by {name!r}; allowed: {', '.join(allowed)}"
            )
        keys.append(SortKey(name, descending))
    return keys


def apply_sort(stmt: Select[Any], keys: Sequence[SortKey], columns: dict[str, Any]) -> Select[Any]:
    for key in keys:
        column = columns[key.field]
        stmt = stmt.order_by(
            desc(column).nulls_last() if key.descending else asc(column).nulls_last()
        )
    return stmt


async def paginate(
    session: AsyncSession, stmt: Select[Any], params: PageParams
) -> tuple[list[Any], int]:
    """Rows of the requested page and the total count of ``stmt``."""
    total = (
        await session.execute(select(func.count()).select_from(stmt.order_by(None).subquery()))
    ).scalar_one()
    rows = (await session.execute(stmt.limit(params.page_size).offset(params.offset))).all()
    return list(rows), int(total)


def make_page(items: list[T], total: int, params: PageParams) -> Page[T]:
    pages = (total + params.page_size - 1) // params.page_size if total else 0
    return Page[T](
        items=items, page=params.page, page_size=params.page_size, total=total, total_pages=pages
    )
