"""Mailer backends: ``console`` (prints for development) and ``file`` (JSON lines; tests
read it). A real SMTP/API backend plugs in behind the same port."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import sys
from pathlib import Path

from api_gateway.domain.mail import Mailer, MailMessage


class ConsoleMailer:
    """Writes each message to stdout."""

    async def send(self, message: MailMessage) -> None:
        sys.stdout.write(f"--- mail to {message.to}: {message.subject}\n{message.body}\n")
        sys.stdout.flush()


class FileMailer:
    """Appends each message as one JSON line to ``path``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = asyncio.Lock()

    async def send(self, message: MailMessage) -> None:
        line = json.dumps(dataclasses.asdict(message)) + "\n"
        async with self._lock:
            await asyncio.to_thread(self._append, line)

    def _append(self, line: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(line)


def build_mailer(backend: str, path: Path) -> Mailer:
    if backend == "file":
        return FileMailer(path)
    if backend == "console":
        return ConsoleMailer()
    raise ValueError(f"unknown mailer backend {backend!r} (console or file)")
