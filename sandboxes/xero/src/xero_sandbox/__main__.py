"""``python -m xero_sandbox``: run a seeded sandbox with uvicorn."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import uvicorn

from xero_sandbox.app import create_app
from xero_sandbox.config import ClientApp, Limits, OrgSpec, SandboxConfig, Timings
from xero_sandbox.seed import describe


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    p = argparse.ArgumentParser(prog="python -m xero_sandbox", description=__doc__)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8702)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--items", type=int, default=200, help="SKUs in the main organisation")
    p.add_argument("--years", type=float, default=2.0)
    p.add_argument("--orgs", type=int, default=2, help="number of organisations (tenants)")
    p.add_argument(
        "--minute-window", type=float, default=60.0, help="length of the 'minute' limit window (s)"
    )
    p.add_argument("--no-limits", action="store_true", help="do not enforce rate limits")
    p.add_argument("--client-id", default="RESTOCKSANDBOXCLIENT0000000000001")
    p.add_argument("--client-secret", default="sandbox-secret-change-me")
    p.add_argument("--redirect-uri", action="append", default=None)
    p.add_argument("--webhook-url", default=None)
    p.add_argument("--webhook-key", default=None)
    p.add_argument("--auto-consent", action="store_true")
    return p.parse_args(argv)


def config_from_args(args: argparse.Namespace) -> SandboxConfig:
    """Turn CLI options into a SandboxConfig."""
    zones = [("NZD", "Pacific/Auckland"), ("AUD", "Australia/Sydney"), ("GBP", "Europe/London")]
    names = ["Kiwi Outdoor Gear Ltd", "Sydney Trail Supplies Pty Ltd", "London Camping Co Ltd"]
    orgs = tuple(
        OrgSpec(
            name=names[i % 3] + ("" if i < 3 else f" {i}"),
            seed=args.seed + i,
            items=args.items if i == 0 else max(5, args.items // 4),
            years=args.years,
            base_currency=zones[i % 3][0],
            time_zone=zones[i % 3][1],
        )
        for i in range(max(1, args.orgs))
    )
    client = ClientApp(
        client_id=args.client_id,
        client_secret=args.client_secret or None,
        redirect_uris=tuple(args.redirect_uri or ["http://localhost:8000/oauth/xero/callback"]),
        webhook_url=args.webhook_url,
        webhook_key=args.webhook_key,
    )
    return SandboxConfig(
        clients=(client,),
        organisations=orgs,
        timings=Timings(minute_window=args.minute_window),
        limits=Limits(enabled=not args.no_limits),
        auto_consent=args.auto_consent,
    )


def main(argv: Sequence[str] | None = None) -> None:
    """Seed, print where the sandbox listens and its credentials, then serve."""
    args = parse_args(argv)
    config = config_from_args(args)
    app = create_app(config)
    sandbox = app.state.sandbox
    base = f"http://{args.host}:{args.port}"
    print(f"Xero sandbox listening on {base}")
    print(f"  authorize:  {base}/identity/connect/authorize")
    print(f"  token:      {base}/connect/token")
    print(f"  API:        {base}/api.xro/2.0/   connections: {base}/connections")
    print(f"  client_id:     {config.clients[0].client_id}")
    print(f"  client_secret: {config.clients[0].client_secret}")
    print(f"  redirect_uris: {', '.join(config.clients[0].redirect_uris)}")
    print(f"  sandbox clock: {sandbox.clock.now().isoformat()}")
    for org in sandbox.orgs.values():
        print(f"  tenant {org.tenant_id}  {org.name}  {describe(org)}")
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
