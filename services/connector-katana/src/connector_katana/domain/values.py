"""Lenient parsing of Katana wire values (numbers as strings, missing fields, bad enums)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from connector_katana.domain.errors import BadRecord


def req(raw: dict[str, Any], name: str) -> Any:
    """A required field; ``BadRecord`` when missing or null."""
    value = raw.get(name)
    if value is None or value == "":
        raise BadRecord(f"missing field {name!r}")
    return value


def pid(value: Any, name: str = "id") -> str:
    """A provider id (int, numeric string or uuid string) as a string."""
    if isinstance(value, bool) or value is None:
        raise BadRecord(f"invalid id {name!r}: {value!r}")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    raise BadRecord(f"invalid id {name!r}: {value!r}")


def opt_pid(value: Any, name: str = "id") -> str | None:
    """An optional provider id."""
    return None if value is None or value == "" else pid(value, name)


def dec(value: Any, name: str) -> Decimal:
    """A decimal from a JSON number or a decimal string."""
    if isinstance(value, bool) or value is None:
        raise BadRecord(f"invalid number {name!r}: {value!r}")
    try:
        result = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError) as exc:
        raise BadRecord(f"invalid number {name!r}: {value!r}") from exc
    if not result.is_finite():
        raise BadRecord(f"invalid number {name!r}: {value!r}")
    return normalise_decimal(result)


def opt_dec(value: Any, name: str) -> Decimal | None:
    """An optional decimal (None / empty string -> None)."""
    return None if value is None or value == "" else dec(value, name)


def normalise_decimal(value: Decimal) -> Decimal:
    """Drop trailing zeros without an exponent (``"7.00000"`` -> ``7``)."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def instant(value: Any, name: str) -> datetime:
    """An ISO-8601 instant (naive values are UTC)."""
    if not isinstance(value, str) or not value:
        raise BadRecord(f"invalid instant {name!r}: {value!r}")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise BadRecord(f"invalid instant {name!r}: {value!r}") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def opt_instant(value: Any, name: str) -> datetime | None:
    """An optional instant."""
    return None if value in (None, "") else instant(value, name)


def opt_int(value: Any, name: str) -> int | None:
    """An optional non-negative integer (e.g. lead time days)."""
    if value in (None, ""):
        return None
    number = dec(value, name)
    if number < 0 or number != number.to_integral_value():
        raise BadRecord(f"invalid integer {name!r}: {value!r}")
    return int(number)


def currency(value: Any, name: str = "currency") -> str:
    """An ISO 4217 code."""
    if not isinstance(value, str) or len(value.strip()) != 3 or not value.strip().isalpha():
        raise BadRecord(f"invalid currency {name!r}: {value!r}")
    return value.strip().upper()


def iso(value: datetime) -> str:
    """Katana's query format: ISO-8601 UTC with milliseconds and ``Z``."""
    return (
        value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    )
