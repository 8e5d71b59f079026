"""HTTP client of the upstream services: one pooled ``httpx.AsyncClient`` per process,
built at startup and closed when the service stops."""

from __future__ import annotations

import httpx

from api_gateway.domain.routes import SERVICES
from api_gateway.settings import Settings


class Upstreams:
    """Base URLs of the services and the shared connection pool."""

    def __init__(self, settings: Settings, transport: httpx.AsyncBaseTransport | None = None):
        self.bases = {name: settings.upstream_url(name) for name in SERVICES}
        self.client = httpx.AsyncClient(
            timeout=httpx.Timeout(
                settings.upstream_timeout_s, connect=settings.upstream_connect_timeout_s
            ),
            limits=httpx.Limits(
                max_connections=settings.upstream_max_connections,
                max_keepalive_connections=settings.upstream_max_connections,
                keepalive_expiry=30.0,
            ),
            transport=transport,
            follow_redirects=False,
        )

    async def send(
        self,
        service: str,
        method: str,
        path: str,
        query: bytes,
        headers: dict[str, str],
        body: bytes,
    ) -> httpx.Response:
        """One call to ``service``; transport errors propagate (the caller maps them)."""
        url = httpx.URL(self.bases[service] + path, query=query or None)
        return await self.client.request(method, url, headers=headers, content=body)

    async def close(self) -> None:
        await self.client.aclose()
