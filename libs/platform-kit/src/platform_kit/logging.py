"""JSON logs with correlation ids, and a filter that redacts secrets (architecture §5)."""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import threading
from datetime import UTC, datetime
from typing import Any

correlation_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "correlation_id", default=None
)

_REDACTED = "[REDACTED]"
_PATTERNS = [
    re.compile(r"(?i)(authorization[\"']?\s*[:=]\s*[\"']?)(bearer\s+)?[^\s\"',}]+"),
    re.compile(
        r"(?i)((?:api[_-]?key|access_token|refresh_token|client_secret|password|secret)"
        r"[\"']?\s*[:=]\s*[\"']?)[^\s\"',}&]+"
    ),
    re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+"),
]


class SecretRegistry:
    """Known secret values (API keys, tokens) that must never reach a log line."""

    def __init__(self) -> None:
        self._values: set[str] = set()
        self._lock = threading.Lock()

    def add(self, value: str | None) -> None:
        if value and len(value) >= 6:
            with self._lock:
                self._values.add(value)

    def redact(self, text: str) -> str:
        for value in tuple(self._values):
            if value in text:
                text = text.replace(value, _REDACTED)
        for pattern in _PATTERNS:
            text = pattern.sub(lambda m: (m.group(1) if m.lastindex else "") + _REDACTED, text)
        return text


secrets = SecretRegistry()


class RedactingFilter(logging.Filter):
    """Rewrites each record's message (with args applied) through the secret registry."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            message = str(record.msg)
        record.msg = secrets.redact(message)
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = secrets.redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, service, correlation id."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
            "service": self.service,
        }
        cid = correlation_id_var.get()
        if cid:
            data["correlation_id"] = cid
        for key in ("tenant_id", "event_id", "topic"):
            value = getattr(record, key, None)
            if value is not None:
                data[key] = str(value)
        if record.exc_text:
            data["exc"] = record.exc_text
        elif record.exc_info:
            data["exc"] = secrets.redact(self.formatException(record.exc_info))
        return json.dumps(data, default=str)


def configure_logging(service: str, level: str = "INFO", json_logs: bool = True) -> None:
    """Install one stderr handler with redaction on the root logger (idempotent)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_restock", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler._restock = True  # type: ignore[attr-defined]
    handler.addFilter(RedactingFilter())
    handler.setFormatter(
        JsonFormatter(service)
        if json_logs
        else logging.Formatter("%(levelname)s %(name)s %(message)s")
    )
    root.addHandler(handler)
    root.setLevel(level.upper())
    logging.getLogger("aiokafka").setLevel(logging.WARNING)
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
