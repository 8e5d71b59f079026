"""Benchmark: Katana sandbox throughput, pages of 250 for every list collection, limiter off.

Each collection is walked once to warm it (first-request build time is printed), then
walked again (capped at ``KATANA_BENCH_MAX_PAGES``, default 200) and with ``updated_at_min``
= 1 January of the newest row's year. ``KATANA_BENCH_SKUS`` / ``KATANA_BENCH_YEARS`` set the
account size (default 5k SKUs x 2 years).
A second phase measures the real limiter (60 requests per 60 s window) briefly.
"""

import os
import time

from katana_sandbox.testing import running_sandbox
from restock_demodata import DatasetSpec

COLLECTIONS = (
    "products",
    "variants",
    "inventory",
    "purchase_orders",
    "purchase_order_rows",
    "sales_orders",
    "sales_order_rows",
    "inventory_movements",
)
MAX_PAGES = int(os.environ.get("KATANA_BENCH_MAX_PAGES", "200"))


def _walk(client, path: str, **params: str) -> tuple[int, int]:
    pages = rows = 0
    page = 1
    while pages < MAX_PAGES:
        r = client.get(path, params={**params, "limit": 250, "page": page})
        r.raise_for_status()
        pages += 1
        rows += len(r.json()["data"])
        if '"last_page":"true"' in r.headers["X-Pagination"]:
            break
        page += 1
    return pages, rows


def _median_updated(client, path: str) -> str | None:
    first = client.get(path, params={"limit": 1}).json()["data"]
    return first[0].get("updated_at") if first else None


def main() -> None:
    skus = int(os.environ.get("KATANA_BENCH_SKUS", "5000"))
    years = float(os.environ.get("KATANA_BENCH_YEARS", "2"))
    spec = DatasetSpec(seed=42, skus=skus, locations=2, years=years)
    t = time.perf_counter()
    with running_sandbox(accounts={"bench": spec}, rate_limit=0) as sb:
        print(f"katana_sandbox.account: {skus} SKUs x {years:g} years, pages of 250")
        print(f"katana_sandbox.startup_s: {time.perf_counter() - t:.1f}")
        print(f"katana_sandbox.rate_window: limiter off (rate_limit=0), max {MAX_PAGES} pages")
        with sb.client(timeout=600) as c:
            for name in COLLECTIONS:
                t = time.perf_counter()
                c.get(f"/{name}", params={"limit": 250}).raise_for_status()
                print(f"katana_sandbox.{name}_first_request_s: {time.perf_counter() - t:.2f}")
                t = time.perf_counter()
                pages, rows = _walk(c, f"/{name}")
                dt = time.perf_counter() - t
                print(
                    f"katana_sandbox.{name}_pages_per_s: {pages / dt:.1f} "
                    f"({pages} pages, {rows} rows)"
                )
                since = _median_updated(c, f"/{name}")
                if since is None:
                    continue
                back = since[:4] + "-01-01T00:00:00.000Z"
                t = time.perf_counter()
                pages, rows = _walk(c, f"/{name}", updated_at_min=back)
                dt = time.perf_counter() - t
                print(
                    f"katana_sandbox.{name}_updated_since_pages_per_s: {pages / dt:.1f} "
                    f"({pages} pages, {rows} rows, updated_at_min={back})"
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
