"""Shared API helpers: role aliases, ETag responses, If-Match preconditions."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from platform_kit.auth import Principal, require
from platform_kit.http.etag import check_if_match, etag_for
from po_gateway.api.schemas import OrderOut
from po_gateway.handlers.common import Precondition

Viewer = Annotated[Principal, require("viewer")]
Planner = Annotated[Principal, require("planner")]
Approver = Annotated[Principal, require("approver")]


def if_match(request: Request, draft_id: uuid.UUID, *, required: bool = True) -> Precondition:
    """A precondition comparing ``If-Match`` with the locked draft's ETag (428 / 412)."""

    def check(version: int) -> None:
        check_if_match(request, etag_for(draft_id, version), required=required)

    return check


def order_json(order: dict[str, Any]) -> Any:
    """The order as JSON-ready data (validated through :class:`OrderOut`)."""
    return jsonable_encoder(OrderOut.model_validate(order))


def order_response(order: dict[str, Any], status_code: int = 200) -> JSONResponse:
    """The order with its ETag header."""
    return JSONResponse(
        order_json(order),
        status_code=status_code,
        headers={"ETag": etag_for(order["draft_id"], order["version"])},
    )
