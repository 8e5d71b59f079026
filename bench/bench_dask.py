"""Benchmark: a very large tenant's forecast on a distributed engine (Dask), locally.

The demo business (``restock_demodata``, ``--skus`` variants x 2 locations, 2 years) is
turned into weekly demand per variant-location series (quotes excluded), the shape
statsforecast takes (``unique_id, ds, y``). The same models (AutoETS and Croston; the
seasonal AutoETS is ~20x slower per series, too slow for a ~3 min bench here) then run:

1. on a pandas DataFrame in this process (``StatsForecast.forecast``);
2. on a Dask DataFrame against a ``distributed.LocalCluster`` (2 worker processes x 1
   thread) through statsforecast's own distributed backend (fugue's Dask engine, one
   group per series);
3. through fugue directly with ``coarse`` partitioning: each partition holds many whole
   series and runs the same pandas ``StatsForecast.forecast`` on a worker.

Workers are warmed up first (imports and a first fit, once per worker process). Prints
series/s for each, the cluster layout and the largest difference from the local result
(the engine changes, not the numbers).

Run alone: ``uv run python bench/bench_dask.py [--skus 500] [--horizon 13]``.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
os.environ.setdefault("PYTHONWARNINGS", "ignore")  # the Dask workers inherit it

import argparse  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from datetime import date, datetime  # noqa: E402
from typing import Any  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from restock_demodata import DatasetSpec, SalesOrderStatus, generate  # noqa: E402

WORKERS = 2


def weekly_series(skus: int, seed: int = 7) -> pd.DataFrame:
    """Weekly demand (Monday weeks, local time) per ``variant@location`` of the demo data."""
    ds = generate(DatasetSpec(seed=seed, skus=skus, locations=2, years=2.0))
    tz = ZoneInfo(ds.time_zone)
    so, sl = ds.sales_orders, ds.sales_lines
    order = sl.order_id - 1
    demand = so.status[order] != SalesOrderStatus.QUOTE
    instants = so.ordered_at[order].astype("datetime64[ms]")
    local = pd.DatetimeIndex(instants).tz_localize("UTC").tz_convert(tz).tz_localize(None)
    frame = pd.DataFrame(
        {
            "unique_id": [f"{v}@{loc}" for v, loc in zip(sl.variant_id, sl.location_id)],
            "ds": local.normalize() - pd.to_timedelta(local.weekday, unit="D"),
            "y": sl.quantity,
        }
    )[demand]
    start = pd.Timestamp(datetime.combine(ds.start_date, datetime.min.time()))
    start -= pd.Timedelta(days=start.weekday())
    end = pd.Timestamp(ds.spec.end_date) - pd.Timedelta(
        days=pd.Timestamp(ds.spec.end_date).weekday() + 7
    )
    weeks = pd.date_range(start, end, freq="W-MON")
    frame = frame[(frame["ds"] >= weeks[0]) & (frame["ds"] <= weeks[-1])]
    totals = frame.groupby(["unique_id", "ds"], as_index=False)["y"].sum()
    ids = np.sort(totals["unique_id"].unique())
    grid = pd.MultiIndex.from_product([ids, weeks], names=["unique_id", "ds"])
    full = totals.set_index(["unique_id", "ds"]).reindex(grid, fill_value=0.0).reset_index()
    return full.astype({"y": "float64"})


def _forecaster() -> Any:
    from statsforecast import StatsForecast
    from statsforecast.models import AutoETS, CrostonOptimized

    return StatsForecast(models=[AutoETS(), CrostonOptimized()], freq="W-MON", n_jobs=1)


def _local(df: pd.DataFrame, horizon: int) -> pd.DataFrame:
    result = _forecaster().forecast(df=df, h=horizon)
    return pd.DataFrame(result).astype({"unique_id": str, "ds": "datetime64[ns]"})


def _on_dask(df: pd.DataFrame, horizon: int, partitions: int) -> pd.DataFrame:
    """statsforecast's own distributed path: a Dask DataFrame in, fugue groups by series."""
    import dask.dataframe as dd

    ddf = dd.from_pandas(df, npartitions=partitions)
    result = _forecaster().forecast(df=ddf, h=horizon)
    return _as_pandas(result)


def _on_dask_coarse(df: pd.DataFrame, horizon: int, partitions: int, client: Any) -> pd.DataFrame:
    """The same model call on chunks of whole series: fugue's ``coarse`` partitioning keeps
    each series in one partition and hands a worker many series at once."""
    import dask.dataframe as dd
    import fugue.api as fa

    ddf = dd.from_pandas(df, npartitions=partitions)
    names = [type(m).__name__ for m in _forecaster().models]
    schema = "unique_id:str,ds:datetime," + ",".join(f"{n}:double" for n in names)
    result = fa.transform(
        ddf,
        _local,
        schema=schema,
        params={"horizon": horizon},
        partition={"by": "unique_id", "algo": "coarse", "num": partitions},
        engine=client,
    )
    return _as_pandas(result)


def _as_pandas(result: Any) -> pd.DataFrame:
    done = result.compute() if hasattr(result, "compute") else result
    return pd.DataFrame(done).astype({"unique_id": str, "ds": "datetime64[ns]"})


def _compare(local: pd.DataFrame, dist: pd.DataFrame) -> float:
    keys = ["unique_id", "ds"]
    joined = local.merge(dist, on=keys, suffixes=("_local", "_dask"))
    assert len(joined) == len(local) == len(dist), (len(local), len(dist), len(joined))
    diffs = [
        np.nanmax(np.abs(joined[f"{c}_local"].to_numpy() - joined[f"{c}_dask"].to_numpy()))
        for c in local.columns
        if c not in keys
    ]
    return float(max(diffs))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skus", type=int, default=500, help="demo variants (x 2 locations)")
    parser.add_argument("--horizon", type=int, default=13, help="weeks ahead")
    args = parser.parse_args()
    import dask
    from distributed import Client, LocalCluster

    dask.config.set({"dataframe.shuffle.method": "tasks"})

    warnings.simplefilter("ignore")
    t0 = time.perf_counter()
    df = weekly_series(args.skus)
    n = int(df["unique_id"].nunique())
    weeks = int(df["ds"].nunique())
    print(
        f"dask.window: demo data {args.skus} variants x 2 locations, 2 years to {date(2026, 11, 1)}"
    )
    built = time.perf_counter() - t0
    print(f"dask.series: {n} variant-location series x {weeks} weeks (built in {built:.1f} s)")
    print(f"dask.models: AutoETS (non-seasonal) + CrostonOptimized, horizon {args.horizon} weeks")
    warm = df[df["unique_id"].isin(df["unique_id"].unique()[:4])]
    _local(warm, args.horizon)  # imports and first fit
    t0 = time.perf_counter()
    local = _local(df, args.horizon)
    local_s = time.perf_counter() - t0
    print(f"dask.local_pandas: {n / local_s:.1f} series/s ({local_s:.1f} s, 1 process)")
    with (
        LocalCluster(
            n_workers=WORKERS, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        info = client.scheduler_info()
        layout = ", ".join(
            f"{w['name']}: {w['nthreads']} thread, {w['memory_limit'] / 2**30:.1f} GiB"
            for w in info["workers"].values()
        )
        print(f"dask.cluster: scheduler {cluster.scheduler_address}; workers {layout}")
        t0 = time.perf_counter()
        client.run(_local, warm, args.horizon)  # imports and first fit in each worker
        print(f"dask.worker_warm_up_s: {time.perf_counter() - t0:.1f} (once per worker process)")
        runs = {}
        for name, run in (
            ("dask_statsforecast_backend", lambda: _on_dask(df, args.horizon, WORKERS * 4)),
            ("dask_fugue_coarse", lambda: _on_dask_coarse(df, args.horizon, WORKERS * 4, client)),
        ):
            t0 = time.perf_counter()
            runs[name] = (run(), time.perf_counter() - t0)
    for name, (dist, seconds) in runs.items():
        speedup = f"{local_s / seconds:.2f}x local on {os.cpu_count()} cores"
        print(f"dask.{name}: {n / seconds:.1f} series/s ({seconds:.1f} s; {speedup})")
        print(f"dask.{name}.max_abs_difference_vs_local: {_compare(local, dist):.2e} (target 0)")


if __name__ == "__main__":
    main()
