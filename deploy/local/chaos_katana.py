"""A Katana sandbox whose API keys all hold the same business (same seed), so the chaos
run can put a fault-free tenant and a faulty tenant through one stack and compare them.

``python deploy/local/chaos_katana.py --port P --skus N --years Y --seed S
--rate-window W --api-key A --api-key B`` (each key gets its own copy of the data).
"""

from __future__ import annotations

import argparse

import uvicorn

from katana_sandbox.app import create_app
from katana_sandbox.config import SandboxConfig
from restock_demodata import DatasetSpec, generate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--skus", type=int, default=20)
    parser.add_argument("--years", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--rate-window", type=float, default=1.0)
    parser.add_argument("--api-key", action="append", required=True)
    args = parser.parse_args()
    spec = DatasetSpec(seed=args.seed, skus=args.skus, locations=2, years=args.years)
    config = SandboxConfig(
        accounts=dict.fromkeys(args.api_key, spec),
        rate_window_s=args.rate_window,
        public_base_url=f"http://127.0.0.1:{args.port}/v1",
    )
    app = create_app(config, dataset={key: generate(spec) for key in args.api_key})
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
