"""``python -m katana_sandbox --port 8701 --seed 42 --skus 200 --api-key KEY``."""

from __future__ import annotations

import argparse

import uvicorn

from katana_sandbox.app import create_app
from katana_sandbox.config import SandboxConfig
from restock_demodata import DatasetSpec


def main(argv: list[str] | None = None) -> None:
    """Parse arguments and serve until interrupted."""
    p = argparse.ArgumentParser(prog="katana_sandbox", description=__doc__)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8701)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--skus", type=int, default=200)
    p.add_argument("--locations", type=int, default=2)
    p.add_argument("--years", type=float, default=2.0)
    p.add_argument("--rate-limit", type=int, default=60, help="requests per window; 0 = off")
    p.add_argument("--rate-window", type=float, default=60.0, help="seconds")
    p.add_argument(
        "--api-key", action="append", default=None, help="repeatable; key i gets seed + i"
    )
    p.add_argument("--admin-token", default=None)
    p.add_argument("--webhook-retry-delays", default="30,120,900")
    p.add_argument(
        "--lazy",
        action="store_true",
        help="build each table on its first request instead of before serving",
    )
    args = p.parse_args(argv)
    keys = args.api_key or ["sandbox-key"]
    accounts = {
        k: DatasetSpec(
            seed=args.seed + i, skus=args.skus, locations=args.locations, years=args.years
        )
        for i, k in enumerate(keys)
    }
    base = f"http://{args.host}:{args.port}/v1"
    config = SandboxConfig(
        accounts=accounts,
        rate_limit=args.rate_limit,
        rate_window_s=args.rate_window,
        admin_token=args.admin_token,
        public_base_url=base,
        webhook_retry_delays_s=tuple(float(x) for x in args.webhook_retry_delays.split(",") if x),
    )
    app = create_app(config, warm=not args.lazy)
    print(f"Katana sandbox listening on {base}", flush=True)
    for k in keys:
        print(f"  API key: {k}", flush=True)
    print(
        f"  admin: http://{args.host}:{args.port}/_sandbox/ (rate {args.rate_limit}/"
        f"{args.rate_window:g}s)",
        flush=True,
    )
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
