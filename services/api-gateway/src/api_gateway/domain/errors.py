"""Identity errors, independent of HTTP.

::

    IdentityError
    ├── NotFound           the thing does not exist (or is not the caller's)
    ├── Conflict           it exists already / would break an invariant
    ├── InvalidInput       the request makes no sense
    ├── Unauthenticated    credentials are wrong, expired or revoked
    ├── Forbidden          authenticated, but the role does not allow it
    └── Throttled          too many failed attempts; retry after ``retry_after_s``
"""

from __future__ import annotations


class IdentityError(Exception):
    """Base of the identity errors; ``str(exc)`` is safe to show to the caller."""


class NotFound(IdentityError):
    pass


class Conflict(IdentityError):
    pass


class InvalidInput(IdentityError):
    pass


class Unauthenticated(IdentityError):
    pass


class Forbidden(IdentityError):
    pass


class Throttled(IdentityError):
    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s
