"""Xero API limits: per-tenant minute, day and concurrency limits plus the app minute limit."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from xero_sandbox.clock import SandboxClock
from xero_sandbox.config import Limits, Timings


@dataclass
class _Window:
    """A fixed window that starts at the first call after the previous one ended."""

    length: float
    start: float = -math.inf
    count: int = 0

    def roll(self, now: float) -> None:
        if now >= self.start + self.length:
            self.start = now
            self.count = 0

    def retry_after(self, now: float) -> int:
        return max(1, math.ceil(self.start + self.length - now))


@dataclass
class _TenantUsage:
    minute: _Window
    day: _Window
    in_flight: int = 0


@dataclass(frozen=True)
class Rejection:
    """Why a call was refused: ``problem`` is the ``X-Rate-Limit-Problem`` value."""

    problem: str
    retry_after: int | None


@dataclass
class RateLimiter:
    """Counts calls on the sandbox clock; ``acquire``/``release`` wrap each API call."""

    limits: Limits
    timings: Timings
    clock: SandboxClock
    _tenants: dict[str, _TenantUsage] = field(default_factory=dict)
    _apps: dict[str, _Window] = field(default_factory=dict)

    def _usage(self, tenant_id: str) -> _TenantUsage:
        usage = self._tenants.get(tenant_id)
        if usage is None:
            usage = _TenantUsage(
                _Window(self.timings.minute_window), _Window(self.timings.day_window)
            )
            self._tenants[tenant_id] = usage
        return usage

    def _app(self, client_id: str) -> _Window:
        return self._apps.setdefault(client_id, _Window(self.timings.minute_window))

    def acquire(self, client_id: str, tenant_id: str | None) -> Rejection | None:
        """Count one call; return a Rejection when a limit is exhausted."""
        now = self.clock.timestamp()
        app = self._app(client_id)
        app.roll(now)
        if not self.limits.enabled:
            app.count += 1
            if tenant_id is not None:
                self._usage(tenant_id).in_flight += 1
            return None
        if app.count >= self.limits.app_per_minute:
            return Rejection("appminute", app.retry_after(now))
        if tenant_id is not None:
            usage = self._usage(tenant_id)
            usage.minute.roll(now)
            usage.day.roll(now)
            if usage.day.count >= self.limits.per_day:
                return Rejection("day", usage.day.retry_after(now))
            if usage.minute.count >= self.limits.per_minute:
                return Rejection("minute", usage.minute.retry_after(now))
            if usage.in_flight >= self.limits.concurrent:
                return Rejection("concurrent", None)
            usage.minute.count += 1
            usage.day.count += 1
            usage.in_flight += 1
        app.count += 1
        return None

    def release(self, tenant_id: str | None) -> None:
        """Mark a call as finished (concurrency limit)."""
        if tenant_id is not None:
            self._usage(tenant_id).in_flight -= 1

    def headers(self, client_id: str, tenant_id: str | None) -> dict[str, str]:
        """The ``X-*Limit-Remaining`` headers for a response."""
        now = self.clock.timestamp()
        app = self._app(client_id)
        app.roll(now)
        out = {"X-AppMinLimit-Remaining": str(max(0, self.limits.app_per_minute - app.count))}
        if tenant_id is not None:
            usage = self._usage(tenant_id)
            usage.minute.roll(now)
            usage.day.roll(now)
            out["X-MinLimit-Remaining"] = str(max(0, self.limits.per_minute - usage.minute.count))
            out["X-DayLimit-Remaining"] = str(max(0, self.limits.per_day - usage.day.count))
        return out

    def set_enabled(self, enabled: bool) -> None:
        """Turn limit enforcement on or off at runtime (counting continues)."""
        self.limits = Limits(
            enabled=enabled,
            per_minute=self.limits.per_minute,
            concurrent=self.limits.concurrent,
            per_day=self.limits.per_day,
            app_per_minute=self.limits.app_per_minute,
        )
