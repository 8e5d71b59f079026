"""Benchmark: generate a 10,000-SKU, 2-year demo dataset (target <= 60 s)."""

import resource
import time

from restock_demodata import DatasetSpec, generate


def main() -> None:
    t = time.perf_counter()
    ds = generate(DatasetSpec(seed=42, skus=10_000, locations=2, years=2.0))
    elapsed = time.perf_counter() - t
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"demodata.generate_10k_2y_s: {elapsed:.1f} (target <= 60)")
    print(f"demodata.peak_rss_mb: {rss_mb:.0f}")
    print(f"demodata.sales_orders: {len(ds.sales_orders)}")
    print(f"demodata.sales_lines: {len(ds.sales_lines)}")
    print(f"demodata.purchase_orders: {len(ds.purchase_orders)}")
    print(f"demodata.purchase_lines: {len(ds.purchase_lines)}")
    print(f"demodata.movements: {len(ds.movements)}")
    print(f"demodata.stockout_days: {len(ds.stockout_days)}")


if __name__ == "__main__":
    main()
