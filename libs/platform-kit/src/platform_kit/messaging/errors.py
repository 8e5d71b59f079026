"""How the consumer loop classifies failures.

Exception tree::

    Exception
    ├── TransientError     retried with backoff, forever (DB down, network, broker)
    └── PermanentError     dead-lettered at once (bad payload the handler rejects)

Anything else is retried ``consumer_max_attempts`` times, then dead-lettered with its
reason. Connection-type errors from asyncpg/SQLAlchemy/OS count as transient.
"""

from __future__ import annotations

import asyncio

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

_TRANSIENT_SQLSTATES = {
    "40001",
    "40P01",
    "57P01",
    "57P02",
    "57P03",
    "08000",
    "08003",
    "08006",
    "53300",
}


class TransientError(Exception):
    """Worth retrying later: the same input may succeed."""


class PermanentError(Exception):
    """Will never succeed for this input: dead-letter it with this reason."""


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, TransientError | OSError | ConnectionError | asyncio.TimeoutError):
        return True
    if isinstance(exc, OperationalError | InterfaceError):
        return True
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return True
        sqlstate = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
        if sqlstate in _TRANSIENT_SQLSTATES:
            return True
    name = type(exc).__name__
    return name in {
        "ConnectionDoesNotExistError",
        "CannotConnectNowError",
        "ConnectionFailureError",
        "InterfaceError",
        "TooManyConnectionsError",
        "KafkaConnectionError",
        "RequestTimedOutError",
        "NodeNotReadyError",
        "KafkaTimeoutError",
    }


def is_permanent(exc: BaseException) -> bool:
    from pydantic import ValidationError

    return isinstance(exc, PermanentError | ValidationError | ValueError | KeyError | TypeError)
