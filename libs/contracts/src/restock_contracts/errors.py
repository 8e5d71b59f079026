"""Exceptions raised by the contracts library.

::

    ValueError
    └── ContractError            a message or payload does not satisfy its topic's contract
        ├── UnknownEventType     well-formed envelope, but an event_type the topic lacks
        └── RecordTooLarge       one record alone exceeds the batch byte budget
"""

from __future__ import annotations


class ContractError(ValueError):
    """A message does not satisfy its topic's contract.

    ``reason`` is a short machine-readable code (``invalid_json``, ``invalid_envelope``,
    ``unknown_event_type``, ``event_type_mismatch``, ``wrong_topic``, ``record_too_large``);
    ``str(error)`` is the human-readable explanation that goes to the DLQ.
    """

    def __init__(self, reason: str, message: str, *, topic: str | None = None) -> None:
        self.reason = reason
        self.topic = topic
        prefix = f"{topic}: " if topic else ""
        super().__init__(f"{prefix}{reason}: {message}")


class UnknownEventType(ContractError):
    """The envelope names an event_type that is not part of the topic (a newer producer?)."""


class RecordTooLarge(ContractError):
    """A single record is bigger than the byte budget of a batch message."""
