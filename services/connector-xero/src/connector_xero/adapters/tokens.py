"""Grant tokens: encrypted at rest, refreshed once per grant across all replicas.

A refresh locks the grant row (``SELECT ... FOR UPDATE``), then re-reads it: if another
replica already replaced the access token that failed (or that was about to expire), the
new one is used and Xero is not called. Xero rotates refresh tokens, so two refreshers
with the same token would break the grant; the row lock makes that impossible.
``invalid_grant`` marks the grant and its connections "needs_reauthorisation" instead of
retrying in a loop.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from connector_xero.adapters.identity import XeroIdentity
from connector_xero.adapters.orm import connection, grant
from connector_xero.domain.errors import NeedsReauthorisation
from platform_kit.clock import real_now
from platform_kit.crypto import KeyRing
from platform_kit.db.engine import Database
from platform_kit.db.uow import UnitOfWork
from platform_kit.logging import secrets

EXPIRY_MARGIN = timedelta(seconds=60)


def _aad(grant_id: uuid.UUID, kind: str) -> str:
    return f"xero-grant:{grant_id}:{kind}"


@dataclass
class TokenStore:
    """Reads, encrypts and refreshes the tokens of grants."""

    db: Database
    keyring: KeyRing
    identity: XeroIdentity

    def encrypted(self, grant_id: uuid.UUID, token: dict[str, Any]) -> dict[str, Any]:
        """Column values for a token response (access + refresh encrypted, expiry)."""
        access, refresh = token["access_token"], token.get("refresh_token")
        secrets.add(access)
        if refresh:
            secrets.add(refresh)
        return {
            "access_token_enc": self.keyring.encrypt(access, _aad(grant_id, "access")),
            "refresh_token_enc": self.keyring.encrypt(refresh, _aad(grant_id, "refresh"))
            if refresh
            else None,
            "access_expires_at": real_now() + timedelta(seconds=int(token.get("expires_in", 1800))),
        }

    def _decrypt(self, row: Any, kind: str) -> str:
        value = row.access_token_enc if kind == "access" else row.refresh_token_enc
        if not value:
            raise NeedsReauthorisation("no refresh token stored")
        plain = self.keyring.decrypt(value, _aad(row.grant_id, kind))
        secrets.add(plain)
        return plain

    async def access_token(self, grant_id: uuid.UUID) -> str:
        """A usable access token (refreshing first when it is about to expire)."""
        async with self.db.sessions() as session:
            row = (await session.execute(select(grant).where(grant.c.grant_id == grant_id))).one()
        if row.status != "active":
            raise NeedsReauthorisation(row.status_reason or row.status)
        current = self._decrypt(row, "access")
        if row.access_expires_at - EXPIRY_MARGIN > real_now():
            return current
        return await self.refresh(grant_id, stale=current)

    async def refresh_token_of(self, grant_id: uuid.UUID) -> str | None:
        """The current refresh token (for revocation)."""
        async with self.db.sessions() as session:
            row = (await session.execute(select(grant).where(grant.c.grant_id == grant_id))).one()
        return self._decrypt(row, "refresh") if row.refresh_token_enc else None

    async def refresh(self, grant_id: uuid.UUID, stale: str) -> str:
        """Refresh under the grant's row lock unless someone already replaced ``stale``."""
        async with UnitOfWork(self.db) as uow:
            row = (
                await uow.session.execute(
                    select(grant).where(grant.c.grant_id == grant_id).with_for_update()
                )
            ).one()
            if row.status != "active":
                raise NeedsReauthorisation(row.status_reason or row.status)
            current = self._decrypt(row, "access")
            if current != stale and row.access_expires_at - EXPIRY_MARGIN > real_now():
                return current
            try:
                token = await self.identity.refresh(self._decrypt(row, "refresh"))
            except NeedsReauthorisation as exc:
                await self._mark_reauth(uow, grant_id, f"refresh failed: {exc}")
                await uow.commit()
                raise
            values = self.encrypted(grant_id, token)
            if values["refresh_token_enc"] is None:
                values.pop("refresh_token_enc")
            await uow.session.execute(
                update(grant)
                .where(grant.c.grant_id == grant_id)
                .values(
                    **values,
                    refreshed_at=real_now(),
                    refresh_count=grant.c.refresh_count + 1,
                )
            )
            await uow.commit()
            return str(token["access_token"])

    async def mark_needs_reauthorisation(self, grant_id: uuid.UUID, reason: str) -> None:
        """Xero refused the grant's tokens: stop using it until a user reconnects."""
        async with UnitOfWork(self.db) as uow:
            await self._mark_reauth(uow, grant_id, reason)
            await uow.commit()

    @staticmethod
    async def _mark_reauth(uow: UnitOfWork, grant_id: uuid.UUID, reason: str) -> None:
        await uow.session.execute(
            update(grant)
            .where(grant.c.grant_id == grant_id)
            .values(status="needs_reauthorisation", status_reason=reason)
        )
        await uow.session.execute(
            update(connection)
            .where(connection.c.grant_id == grant_id)
            .values(status="needs_reauthorisation", status_reason=reason)
        )
