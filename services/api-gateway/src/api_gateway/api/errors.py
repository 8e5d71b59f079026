"""Identity errors to problem documents."""

from __future__ import annotations

from api_gateway.domain.errors import (
    Conflict,
    Forbidden,
    IdentityError,
    InvalidInput,
    NotFound,
    Throttled,
    Unauthenticated,
)
from platform_kit.http.problems import Problem

_STATUS: dict[type[IdentityError], tuple[int, str]] = {
    NotFound: (404, "Not found"),
    Conflict: (409, "Conflict"),
    InvalidInput: (422, "Invalid request"),
    Unauthenticated: (401, "Authentication failed"),
    Forbidden: (403, "Forbidden"),
    Throttled: (429, "Too many attempts"),
}


def to_problem(exc: IdentityError) -> Problem:
    status, title = _STATUS.get(type(exc), (400, "Bad request"))
    headers = {}
    if isinstance(exc, Throttled):
        headers["Retry-After"] = str(exc.retry_after_s)
    if isinstance(exc, Unauthenticated):
        headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return Problem(status, title, str(exc), headers=headers)
