"""The connection pool of the public API's hot path: every ``/api/v1`` call with an access
token costs one statement on it (``rate_limits.admit_access_token``).

Unlike the kit's pool it runs in autocommit (no BEGIN/COMMIT round trips: the statement is
its own transaction) and without pre-ping (no ``SELECT 1`` per checkout). A connection
found dead instead (database restarted) is discarded by SQLAlchemy and the statement is
retried once on a fresh one: a dead socket fails before the statement ran, so the retry
charges the buckets once."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from api_gateway.adapters import rate_limits
from platform_kit.db.engine import build_engine

POOL_SIZE = 10


class AdmissionDb:
    """An autocommit engine on the gateway's database, built at startup."""

    def __init__(self, url: str, pool_size: int = POOL_SIZE) -> None:
        self.engine: AsyncEngine = build_engine(
            url,
            application_name="api-gateway-admit",
            pool_size=pool_size,
            pool_pre_ping=False,
            isolation_level="AUTOCOMMIT",
        )

    async def admit(
        self, jti: str, buckets: list[rate_limits.Bucket]
    ) -> rate_limits.Verdict | None:
        """None if the access token ``jti`` is unknown or revoked, else the rate verdict."""
        try:
            return await self._once(jti, buckets)
        except DBAPIError as exc:
            if not exc.connection_invalidated:
                raise
        return await self._once(jti, buckets)

    async def _once(
        self, jti: str, buckets: list[rate_limits.Bucket]
    ) -> rate_limits.Verdict | None:
        async with self.engine.connect() as conn:
            return await rate_limits.admit_access_token(conn, jti, buckets)

    async def close(self) -> None:
        await self.engine.dispose()
