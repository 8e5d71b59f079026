"""Building blocks shared by every payload module.

Wire conventions (architecture §2):

- money and quantities are ``Decimal`` in Python and decimal strings on the wire
  (``"12.50"``, never ``1.25E+1`` and never a JSON number);
- provider ids are strings (Katana's integer ids are stringified, Xero's are UUIDs);
- instants are timezone-aware ISO-8601 datetimes; calendar days are ISO dates;
- every model is frozen and ignores unknown fields, so a consumer keeps working when a
  producer adds an optional field (additive change within a ``v1`` topic).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    WithJsonSchema,
)

#: Pattern every decimal string on the wire matches.
DECIMAL_PATTERN = r"^-?\d+(\.\d+)?$"


def _plain_decimal(value: Decimal) -> str:
    """Fixed-point text for a decimal (no exponent), e.g. ``Decimal("1E+2")`` -> ``"100"``."""
    return format(value, "f")


def _stringify_int(value: Any) -> Any:
    """Accept integer provider ids (Katana) and carry them as strings."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


DecimalStr = Annotated[
    Decimal,
    Field(allow_inf_nan=False),
    PlainSerializer(_plain_decimal, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "pattern": DECIMAL_PATTERN, "format": "decimal"}),
]
"""A decimal number that travels as a string (money, quantities, rates)."""

PositiveDecimalStr = Annotated[DecimalStr, Field(gt=0)]
"""A decimal string that must be > 0 (FX rates, UoM conversion factors)."""

ProviderId = Annotated[
    str, BeforeValidator(_stringify_int), StringConstraints(min_length=1, max_length=128)
]
"""An id assigned by the provider (Katana integer or UUID, Xero UUID), as a string."""

CurrencyCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
"""ISO 4217 alphabetic currency code, e.g. ``"EUR"``."""

TimeZoneName = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+)*$")
]
"""IANA time zone name, e.g. ``"Europe/Tallinn"`` or ``"UTC"``."""

Instant = AwareDatetime
"""A point in time; naive datetimes are rejected."""

Source = Literal["katana", "xero", "csv"]
"""The system a record was read from."""

SyncMode = Literal["incremental", "refresh", "webhook"]
"""How the connector read the data: watermark-based, full re-read, or webhook-triggered."""


class Event(BaseModel):
    """Base class of every event payload.

    Subclasses declare ``event_type: Literal["<context>.<past_tense_name>"]`` with the same
    value as its default; topics discriminate their payload union on that field.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")


class Record(BaseModel):
    """Base class of one record inside a batch event (same wire rules as :class:`Event`)."""

    model_config = ConfigDict(frozen=True, extra="ignore")


class ProviderRecord(Record):
    """Fields every provider-derived record carries.

    Consumers upsert a record only if its ``updated_at`` is newer than the one they hold.
    A record with ``deleted=True`` is an explicit deletion: the connector compared what it
    read with its normalised snapshot and repeats the last known values of the record.
    Consumers never infer a deletion from absence.
    """

    updated_at: Instant | None = Field(
        description="Provider's last-modified instant (None when the provider has none)."
    )
    deleted: bool = False


class ProviderHeader(Event):
    """Common header of provider-derived batch events (a mixin for payload classes).

    ``batch_seq`` numbers the batches of one stream within one sync from 1; the stream's
    :class:`~restock_contracts.sync.v1.StreamCompleted` marker carries the batch count so a
    consumer can tell whether a batch is missing. Webhook-triggered batches outside a sync
    carry ``sync_id=None``.
    """

    source: Source
    connection_id: UUID
    sync_id: UUID | None
    mode: SyncMode
    batch_seq: int = Field(ge=1)
