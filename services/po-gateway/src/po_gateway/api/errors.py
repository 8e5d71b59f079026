"""Domain errors → problem+json."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from platform_kit.http.problems import Problem
from po_gateway.domain.errors import (
    InvalidTransition,
    NoConnection,
    NotFound,
    UpstreamFailed,
    ValidationFailed,
)


@contextlib.contextmanager
def domain_errors() -> Iterator[None]:
    """404 not found, 409 wrong status or no connection, 422 field errors, 502 planner."""
    try:
        yield
    except NotFound as exc:
        raise Problem(404, "Not found", str(exc)) from exc
    except InvalidTransition as exc:
        raise Problem(
            409, "Invalid status", str(exc), current_status=exc.status, hint=exc.hint
        ) from exc
    except ValidationFailed as exc:
        raise Problem(422, "Validation failed", str(exc), errors=exc.errors) from exc
    except NoConnection as exc:
        raise Problem(409, "No provider connection", str(exc)) from exc
    except UpstreamFailed as exc:
        raise Problem(502, "Planner unavailable", str(exc)) from exc
