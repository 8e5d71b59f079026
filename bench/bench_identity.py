"""Identity throughput on the embedded Postgres: client-credentials tokens/s, verified
API calls/s (JWT + revocation lookup) and the cost of one password hash, each measured
over a steady window after a warm-up."""

from __future__ import annotations

import asyncio
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from api_gateway.adapters.accounts import memberships_of, user_by_email
from api_gateway.app import build_spec
from api_gateway.domain.model import Identity
from api_gateway.domain.passwords import KdfParams, hash_password
from api_gateway.handlers.members import create_partner_client
from api_gateway.settings import Settings
from platform_kit.infra import free_port
from platform_kit.infra.postgres import EmbeddedPostgres
from platform_kit.service import create_app
from platform_kit.testing.servers import serve_app

WARMUP_S = 2.0
WINDOW_S = 10.0
CONCURRENCY = 8


async def _rate(name: str, call, target: str) -> None:
    """Run ``call`` from CONCURRENCY workers; count completions inside the window."""
    done = 0
    start = time.perf_counter()
    window_start = start + WARMUP_S
    window_end = window_start + WINDOW_S

    async def worker() -> None:
        nonlocal done
        while time.perf_counter() < window_end:
            await call()
            if window_start <= time.perf_counter() <= window_end:
                done += 1

    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    print(
        f"identity.{name}: {done / WINDOW_S:.0f}/s (target {target}; window {WINDOW_S:.0f}s "
        f"after {WARMUP_S:.0f}s warm-up, {CONCURRENCY} concurrent)"
    )


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        postgres = EmbeddedPostgres(Path(tmp) / "pg").start()
        try:
            port = free_port()
            settings = Settings(
                database_url=postgres.url,
                keys_dir=Path(tmp) / "keys",
                log_json=False,
                log_level="WARNING",
                issuer=f"http://127.0.0.1:{port}",
                mailer="file",
                mail_file=Path(tmp) / "mail.jsonl",
                signing_key_cache_s=10.0,
            )
            app = create_app(build_spec(settings))
            async with serve_app(app, port=port) as url, httpx.AsyncClient(base_url=url) as http:
                email = f"bench-{uuid.uuid4().hex[:6]}@example.com"
                await http.post(
                    "/v1/signup",
                    json={"email": email, "password": "bench password 123", "tenant_name": "Bench"},
                )
                runtime = app.state.runtime
                async with runtime.uow() as uow:
                    user = await user_by_email(uow.session, email)
                    member = (await memberships_of(uow.session, user.user_id))[0]
                async with runtime.uow() as uow:
                    client = await create_partner_client(
                        uow,
                        Identity(
                            member.tenant_id,
                            str(user.user_id),
                            frozenset({"admin"}),
                            user_id=user.user_id,
                        ),
                        name="bench",
                        role="viewer",
                    )
                auth = (client.client_id, client.client_secret)

                async def token() -> None:
                    r = await http.post(
                        "/oauth/token", data={"grant_type": "client_credentials"}, auth=auth
                    )
                    r.raise_for_status()

                await _rate("client_credentials_tokens", token, "≥ 100/s")
                access = (
                    await http.post(
                        "/oauth/token", data={"grant_type": "client_credentials"}, auth=auth
                    )
                ).json()["access_token"]

                async def me() -> None:
                    r = await http.get("/v1/me", headers={"Authorization": f"Bearer {access}"})
                    r.raise_for_status()

                await _rate("verified_requests", me, "≥ 300/s")
        finally:
            postgres.destroy()
    params = KdfParams()
    started = time.perf_counter()
    for _ in range(5):
        hash_password("bench password 123", params)
    per_hash = (time.perf_counter() - started) / 5 * 1000
    print(
        f"identity.password_hash_ms: {per_hash:.0f} ms (scrypt n=2^{params.log_n}, r=8, p=1; "
        "target 50–500 ms)"
    )


if __name__ == "__main__":
    asyncio.run(main())
