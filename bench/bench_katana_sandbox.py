"""Benchmark: Katana sandbox throughput, pages of 250 for a 5k-SKU account, limiter off.

A second phase measures the real limiter (60 requests per 60 s window) briefly.
"""

import time

from katana_sandbox.testing import running_sandbox
from restock_demodata import DatasetSpec


def _walk(client, path: str) -> tuple[int, int]:
    pages = rows = 0
    page = 1
    while True:
        r = client.get(path, params={"limit": 250, "page": page})
        r.raise_for_status()
        pages += 1
        rows += len(r.json()["data"])
        if '"last_page":"true"' in r.headers["X-Pagination"]:
            return pages, rows
        page += 1


def main() -> None:
    spec = DatasetSpec(seed=42, skus=5_000, locations=2, years=1.0)
    t = time.perf_counter()
    with running_sandbox(accounts={"bench": spec}, rate_limit=0) as sb:
        print(f"katana_sandbox.startup_5k_s: {time.perf_counter() - t:.1f}")
        print("katana_sandbox.rate_window: limiter off (rate_limit=0)")
        with sb.client(timeout=60) as c:
            for path in ("/products", "/variants", "/inventory", "/purchase_orders"):
                _walk(c, path)
                t = time.perf_counter()
                pages, rows = _walk(c, path)
                dt = time.perf_counter() - t
                print(
                    f"katana_sandbox.{path[1:]}_pages_per_s: {pages / dt:.1f} "
                    f"({pages} pages, {rows} rows)"
                )
            t = time.perf_counter()
            n = 0
            while time.perf_counter() - t < 5:
                c.get("/locations").raise_for_status()
                n += 1
            print(f"katana_sandbox.small_requests_per_s: {n / (time.perf_counter() - t):.0f}")
    with running_sandbox(
        accounts={"bench": DatasetSpec(seed=1, skus=50, years=0.5)},
        rate_limit=60,
        rate_window_s=60.0,
    ) as sb:
        with sb.client() as c:
            codes = [c.get("/locations").status_code for _ in range(65)]
        print("katana_sandbox.rate_window: 60 per 60 s")
        print(
            f"katana_sandbox.limited_ok_then_429: {codes.count(200)} ok, {codes.count(429)} x 429"
        )


if __name__ == "__main__":
    main()
