"""Xero-shaped error bodies and responses."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.responses import JSONResponse

_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
}


def problem_body(status: int, detail: str) -> dict[str, Any]:
    """The identity-layer error shape Xero uses for 401/403/404/429/500."""
    return {
        "Type": None,
        "Title": _TITLES.get(status, "Error"),
        "Status": status,
        "Detail": detail,
        "Instance": str(uuid.uuid4()),
        "Extensions": {},
    }


def problem(status: int, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """A JSON response with the problem shape."""
    return JSONResponse(problem_body(status, detail), status_code=status, headers=headers)


def validation_exception(elements: list[dict[str, Any]]) -> JSONResponse:
    """400 ``ValidationException`` with the failing elements echoed."""
    body = {
        "ErrorNumber": 10,
        "Type": "ValidationException",
        "Message": "A validation exception occurred",
        "Elements": elements,
    }
    return JSONResponse(body, status_code=400)


def api_exception(
    message: str, error_number: int = 10, kind: str = "ValidationException"
) -> JSONResponse:
    """400 error without elements (bad query, bad JSON, idempotency mismatch...)."""
    body = {"ErrorNumber": error_number, "Type": kind, "Message": message}
    return JSONResponse(body, status_code=400)


class ApiError(Exception):
    """Raised inside handlers to return a Xero-shaped error response."""

    def __init__(self, response: JSONResponse) -> None:
        super().__init__(response.status_code)
        self.response = response


class DropConnection(Exception):
    """Raised inside handlers to make the gate drop the connection mid-response."""
