"""Fault switches armed through the admin API and consumed by the API gate."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Faults:
    """Counters of injected faults; each counter is decremented as the fault fires.

    ``slow_calls`` of -1 means "every call" for as long as ``slow_seconds`` is set.
    """

    burst_429: int = 0
    burst_429_retry_after: int = 1
    errors_500: int = 0
    drop_connections: int = 0
    slow_calls: int = 0
    slow_seconds: float = 0.0
    timeout_after_po_create: int = 0
    timeout_hang_seconds: float = 0.0

    def update(self, changes: dict[str, Any]) -> None:
        """Apply known fields from ``changes``; unknown names raise KeyError."""
        for name, value in changes.items():
            if name not in self.__dataclass_fields__:
                raise KeyError(name)
            setattr(self, name, type(getattr(self, name))(value))

    @staticmethod
    def take(counter: int) -> tuple[bool, int]:
        """Consume one shot of a counter: (fires?, new value). -1 never runs out."""
        if counter == 0:
            return False, 0
        return True, counter if counter < 0 else counter - 1


@dataclass
class Stats:
    """Per-tenant call statistics served through ``/_sandbox/stats``."""

    calls: dict[str, int] = field(default_factory=dict)
    rate_limited: dict[str, int] = field(default_factory=dict)
    problems: dict[str, int] = field(default_factory=dict)
    errors_500: int = 0
    dropped: int = 0
    total_calls: int = 0

    def count_call(self, tenant_id: str | None) -> None:
        """Count one call that reached the API."""
        self.total_calls += 1
        key = tenant_id or "-"
        self.calls[key] = self.calls.get(key, 0) + 1

    def count_429(self, tenant_id: str | None, problem: str) -> None:
        """Count one 429 served."""
        key = tenant_id or "-"
        self.rate_limited[key] = self.rate_limited.get(key, 0) + 1
        self.problems[problem] = self.problems.get(problem, 0) + 1

    def as_json(self) -> dict[str, Any]:
        """JSON view of the counters."""
        return {
            "total_calls": self.total_calls,
            "calls_per_tenant": dict(self.calls),
            "rate_limited_per_tenant": dict(self.rate_limited),
            "rate_limited_total": sum(self.rate_limited.values()),
            "rate_limit_problems": dict(self.problems),
            "errors_500": self.errors_500,
            "dropped_connections": self.dropped,
        }
