"""Domain errors (no HTTP here; the api layer maps them to problems).

PlannerError
 ├── SettingError       a setting name or value is not valid
 └── NotFound           the thing asked for does not exist for this tenant
"""


class PlannerError(Exception):
    """Base of every planner domain error."""


class SettingError(PlannerError):
    """A setting key or value is invalid; ``key`` names it."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key
        self.message = message


class NotFound(PlannerError):
    """The requested row or resource does not exist for the tenant."""
