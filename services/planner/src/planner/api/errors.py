"""Domain errors → problem documents."""

from __future__ import annotations

from planner.domain.errors import NotFound, PlannerError, SettingError
from planner.handlers.settings import StaleScope
from platform_kit.http.problems import Problem


def to_problem(exc: PlannerError) -> Problem:
    """Map a domain error to its HTTP problem."""
    if isinstance(exc, StaleScope):
        return Problem(412, "Precondition failed", exc.message, current_version=exc.current)
    if isinstance(exc, SettingError):
        return Problem(422, "Invalid setting", exc.message, key=exc.key)
    if isinstance(exc, NotFound):
        return Problem(404, "Not found", str(exc))
    return Problem(400, "Bad request", str(exc))
