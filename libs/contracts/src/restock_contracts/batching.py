"""Split records into batch messages that stay under the broker's message size.

A batch message must stay at or under :data:`MAX_MESSAGE_BYTES` (512 KB) once wrapped in
its payload and envelope. :func:`split_by_bytes` packs records greedily, in order, so that
the serialised records of one batch (JSON, comma-separated) take at most ``max_bytes``;
the default leaves ~60 KB for the payload header and the envelope.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from pydantic import BaseModel

from restock_contracts.errors import RecordTooLarge

MAX_MESSAGE_BYTES = 512 * 1024
"""Upper bound for one message value on the bus."""

DEFAULT_BATCH_BYTES = 450_000
"""Default byte budget for the records of one batch."""

R = TypeVar("R", bound=BaseModel)


def split_by_bytes(records: Sequence[R], max_bytes: int = DEFAULT_BATCH_BYTES) -> list[list[R]]:
    """Pack ``records`` (in order) into batches whose JSON list body is <= ``max_bytes``.

    Returns ``[]`` for no records. Raises :class:`RecordTooLarge` if one record alone
    does not fit.
    """
    if max_bytes < 1:
        raise ValueError("max_bytes must be positive")
    batches: list[list[R]] = []
    current: list[R] = []
    used = 2  # the list's brackets
    for index, record in enumerate(records):
        size = len(record.model_dump_json().encode())
        if size + 2 > max_bytes:
            raise RecordTooLarge(
                "record_too_large",
                f"record {index} ({type(record).__name__}) is {size} bytes; "
                f"a batch allows {max_bytes}",
            )
        separator = 1 if current else 0
        if current and used + separator + size > max_bytes:
            batches.append(current)
            current, used, separator = [], 2, 0
        current.append(record)
        used += separator + size
    if current:
        batches.append(current)
    return batches
