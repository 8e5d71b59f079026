"""Domain errors (no HTTP here; ``api`` maps them to problem documents).

ForecasterError
 ├── NotFound          the SKU x location, forecast or override does not exist
 ├── InvalidOverride   an override's fields are inconsistent
 └── VersionConflict   the override changed since the caller read it
"""


class ForecasterError(Exception):
    """Base of the forecaster's domain errors."""


class NotFound(ForecasterError):
    """The requested resource does not exist for this tenant."""


class InvalidOverride(ForecasterError):
    """An override's fields are inconsistent."""


class VersionConflict(ForecasterError):
    """The resource changed since the caller read it (ETag mismatch)."""
