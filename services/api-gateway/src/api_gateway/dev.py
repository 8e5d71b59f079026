"""Operator commands: ``dev-tenant`` (development tenants) and ``rotate-signing-key``.

``dev-tenant`` signs a tenant up the way ``POST /v1/signup`` does (tenant + admin user with
a generated password, printed once) and also prints an internal token so ``make up`` and
scripts can call services directly. Sign-up and the OAuth flows replace it everywhere else.
"""

from __future__ import annotations

import argparse
import json
import re
import secrets

from api_gateway.adapters import accounts as accounts_repo
from api_gateway.handlers.accounts import sign_up
from api_gateway.handlers.context import identity_of
from api_gateway.handlers.signing import rotate
from api_gateway.handlers.tenants import find_active_tenant
from platform_kit.cli import offline_runtime
from platform_kit.service import ServiceSpec


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--name", required=True)
    parser.add_argument(
        "--time-zone", default=None, help="IANA zone; else filled by the first connection"
    )
    parser.add_argument("--currency", default=None, help="ISO 4217 base currency")
    parser.add_argument("--source", choices=["katana", "xero", "csv"], default=None)
    parser.add_argument("--roles", default="admin", help="comma-separated roles for the token")
    parser.add_argument("--ttl-hours", type=float, default=12.0)
    parser.add_argument("--admin-email", default=None, help="default admin@<name>.restock.test")
    parser.add_argument(
        "--if-missing", action="store_true", help="reuse an active tenant of that name"
    )


def configure_rotate(parser: argparse.ArgumentParser) -> None:
    parser.description = "Promote the next signing key, retire the previous one."


def _default_email(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "tenant"
    return f"admin@{slug}.restock.test"


async def dev_tenant(spec: ServiceSpec, args: argparse.Namespace) -> int:
    email = (args.admin_email or _default_email(args.name)).lower()
    password: str | None = None
    async with offline_runtime(spec) as runtime:
        tenant_id = None
        if args.if_missing:
            async with runtime.uow() as uow:
                tenant_id = await find_active_tenant(uow, args.name)
        created = tenant_id is None
        if tenant_id is None:
            password = secrets.token_urlsafe(12)
            async with runtime.uow() as uow:
                if await accounts_repo.user_by_email(uow.session, email) is not None:
                    email = email.replace("@", f"+{secrets.token_hex(3)}@")
            async with runtime.uow() as uow:
                result = await sign_up(
                    uow,
                    identity_of(runtime),
                    email=email,
                    password=password,
                    tenant_name=args.name,
                    display_name="Dev admin",
                    time_zone=args.time_zone,
                    base_currency=args.currency,
                    primary_source=args.source,
                )
            tenant_id = result.tenant_id
        token = runtime.keys.mint_for(
            tenant_id, "dev-user", args.roles.split(","), ttl_s=int(args.ttl_hours * 3600)
        )
    print(
        json.dumps(
            {
                "tenant_id": str(tenant_id),
                "name": args.name,
                "created": created,
                "admin_email": email if password else None,
                "admin_password": password,
                "token": token,
            }
        )
    )
    return 0


async def rotate_signing_key(spec: ServiceSpec, args: argparse.Namespace) -> int:
    async with offline_runtime(spec) as runtime:
        assert runtime.keyring is not None
        async with runtime.uow() as uow:
            result = await rotate(uow, runtime.keyring)
    print(json.dumps(result))
    return 0
