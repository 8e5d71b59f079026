"""``Idempotency-Key`` on POSTs that create (architecture §3).

The first request with a key reserves it (inside the caller's unit of work) and stores
the response when it commits; a retry with the same key and body gets the stored
response; the same key with a different body is 422; a retry while the first is still
running is 409. Keys are scoped to the tenant and kept 24 hours.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from platform_kit.db.uow import UnitOfWork
from platform_kit.http.problems import Problem


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    body: Any


def request_fingerprint(method: str, path: str, body: Any) -> str:
    raw = json.dumps({"m": method, "p": path, "b": body}, sort_keys=True, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


class IdempotencyGuard:
    """Use within one unit of work: ``begin`` → (do the work) → ``finish`` → commit."""

    def __init__(
        self,
        uow: UnitOfWork,
        tenant_id: uuid.UUID,
        key: str | None,
        method: str,
        path: str,
        body: Any,
    ) -> None:
        self.uow = uow
        self.tenant_id = tenant_id
        self.key = key
        self.method = method
        self.path = path
        self.fingerprint = request_fingerprint(method, path, body)

    @classmethod
    def from_request(
        cls, uow: UnitOfWork, tenant_id: uuid.UUID, request: Request, body: Any
    ) -> IdempotencyGuard:
        key = request.headers.get("idempotency-key")
        if key is not None and not (1 <= len(key) <= 200):
            raise Problem(422, "Invalid Idempotency-Key", "1 to 200 characters")
        return cls(uow, tenant_id, key, request.method, request.url.path, body)

    async def begin(self) -> StoredResponse | None:
        """Reserve the key; return the stored response if this is a completed retry."""
        if self.key is None:
            return None
        table = self.uow.db.tables["idempotency_key"]
        inserted = await self.uow.session.execute(
            pg_insert(table)
            .values(
                tenant_id=self.tenant_id,
                key=self.key,
                method=self.method,
                path=self.path,
                request_hash=self.fingerprint,
            )
            .on_conflict_do_nothing()
            .returning(table.c.key)
        )
        if inserted.scalar_one_or_none() is not None:
            return None
        row = (
            await self.uow.session.execute(
                select(table.c.request_hash, table.c.status_code, table.c.response_body).where(
                    table.c.tenant_id == self.tenant_id, table.c.key == self.key
                )
            )
        ).one()
        if row.request_hash != self.fingerprint:
            raise Problem(
                422, "Idempotency-Key reused", "this key was used with a different request"
            )
        if row.status_code is None:
            raise Problem(409, "Request in progress", "a request with this key is still running")
        return StoredResponse(row.status_code, row.response_body)

    async def finish(self, status_code: int, body: Any) -> None:
        if self.key is None:
            return
        table = self.uow.db.tables["idempotency_key"]
        await self.uow.session.execute(
            update(table)
            .where(table.c.tenant_id == self.tenant_id, table.c.key == self.key)
            .values(status_code=status_code, response_body=body)
        )
