"""``python -m api_gateway dev-tenant``: mint a tenant and an internal token for development.

Stands in for sign-up until the identity issue lands; tests use the token fixture instead.
"""

from __future__ import annotations

import argparse
import json

from api_gateway.handlers import create_tenant
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
    parser.add_argument(
        "--if-missing", action="store_true", help="reuse an active tenant of that name"
    )


async def dev_tenant(spec: ServiceSpec, args: argparse.Namespace) -> int:
    async with offline_runtime(spec) as runtime:
        async with runtime.uow() as uow:
            tenant_id, created = await create_tenant(
                uow,
                name=args.name,
                time_zone=args.time_zone,
                base_currency=args.currency,
                primary_source=args.source,
                if_missing=args.if_missing,
            )
        token = runtime.keys.mint_for(
            tenant_id, "dev-user", args.roles.split(","), ttl_s=int(args.ttl_hours * 3600)
        )
    print(
        json.dumps(
            {"tenant_id": str(tenant_id), "name": args.name, "created": created, "token": token}
        )
    )
    return 0
