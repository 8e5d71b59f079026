"""Katana-style error bodies."""

from __future__ import annotations

from typing import Any

NAMES = {
    400: "BadRequestError",
    401: "UnauthorizedError",
    404: "NotFoundError",
    412: "PreconditionFailedError",
    422: "UnprocessableEntityError",
    429: "TooManyRequests",
    500: "InternalServerError",
}
MESSAGES = {
    401: "Unauthorized",
    404: "Not found",
    429: "Too Many Requests",
    500: "Internal Server Error",
    422: "The request body is invalid. See error object `details` property for more info.",
}


class KatanaError(Exception):
    """Raised by handlers; rendered as Katana's error body with ``status``."""

    def __init__(
        self,
        status: int,
        message: str | None = None,
        code: str | None = None,
        details: list[dict[str, Any]] | None = None,
        wrapped: bool = False,
    ) -> None:
        super().__init__(message or MESSAGES.get(status, ""))
        self.status = status
        self.message = message or MESSAGES.get(status, "")
        self.code = code
        self.details = details
        self.wrapped = wrapped


def error_body(
    status: int,
    message: str | None = None,
    code: str | None = None,
    details: list[dict[str, Any]] | None = None,
    wrapped: bool = False,
) -> dict[str, Any]:
    """``{"statusCode", "name", "message"[, "code", "details"]}``, optionally wrapped."""
    body: dict[str, Any] = {
        "statusCode": status,
        "name": NAMES.get(status, "Error"),
        "message": message or MESSAGES.get(status, ""),
    }
    if code is not None:
        body["code"] = code
    if details is not None:
        body["details"] = details
    return {"error": body} if wrapped else body


def validation_error(details: list[dict[str, Any]]) -> KatanaError:
    """422 ``VALIDATION_FAILED`` with Ajv-style ``details``."""
    return KatanaError(422, code="VALIDATION_FAILED", details=details)


def detail(path: str, code: str, message: str, **info: Any) -> dict[str, Any]:
    """One Ajv-style detail entry."""
    out: dict[str, Any] = {"path": path, "code": code, "message": message}
    if info:
        out["info"] = info
    return out
