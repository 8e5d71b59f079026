"""CSV command line: ``forecast --input FILE.csv --freq {D,W,M} --horizon H --output OUT.csv``.

Input columns ``unique_id,ds,y`` (ds ISO date; W: weekly grid per series, M: one row
per calendar month). Periods missing between a series' first and last row are zero
demand. Invalid rows are reported with their line number (header = line 1) on stderr
and the command exits with code 2; nothing is dropped silently.
Output ``unique_id,ds,mean,p10,p50,p90,model``: per future period, quantiles of that
period's demand.
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import numpy as np

from .engine import forecast_periodic

SEASON = {"D": 7, "W": 52, "M": 12}
MAX_REPORTED = 20


class InputError(Exception):
    """Invalid input; the message lists the offending rows."""


def _period(d: date, freq: str) -> int:
    if freq == "M":
        return d.year * 12 + d.month - 1
    return d.toordinal()


def _period_date(k: int, freq: str) -> date:
    if freq == "M":
        return date(k // 12, k % 12 + 1, 1)
    return date.fromordinal(k)


def read_series(path: Path, freq: str) -> dict[str, dict[int, float]]:
    """Parse and validate the CSV: unique_id -> {period key: demand}."""
    errors: list[str] = []
    data: dict[str, dict[int, float]] = {}
    weekday: dict[str, int] = {}
    with path.open(newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header is None or [h.strip() for h in header] != ["unique_id", "ds", "y"]:
            raise InputError("line 1: header must be unique_id,ds,y")
        for line, row in enumerate(reader, start=2):
            if len(row) != 3:
                errors.append(f"line {line}: expected 3 fields, got {len(row)}")
                continue
            uid, ds, ys = (c.strip() for c in row)
            if not uid:
                errors.append(f"line {line}: empty unique_id")
                continue
            try:
                d = date.fromisoformat(ds)
            except ValueError:
                errors.append(f"line {line}: bad date {ds!r} (expected YYYY-MM-DD)")
                continue
            try:
                val = float(ys)
            except ValueError:
                errors.append(f"line {line}: y {ys!r} is not a number")
                continue
            if not math.isfinite(val) or val < 0:
                errors.append(f"line {line}: y must be a finite number >= 0, got {ys!r}")
                continue
            if freq == "W" and weekday.setdefault(uid, d.weekday()) != d.weekday():
                errors.append(f"line {line}: {ds} is not on the weekly grid of {uid!r}")
                continue
            key = _period(d, freq)
            series = data.setdefault(uid, {})
            if key in series:
                errors.append(f"line {line}: duplicate (unique_id, ds) = ({uid}, {ds})")
                continue
            series[key] = val
    if errors:
        extra = len(errors) - MAX_REPORTED
        tail = [f"... and {extra} more invalid rows"] if extra > 0 else []
        raise InputError("\n".join(errors[:MAX_REPORTED] + tail))
    if not data:
        raise InputError("no data rows")
    return data


def run(data: dict[str, dict[int, float]], freq: str, horizon: int) -> list[list[str]]:
    """Forecast every series; returns output rows (without header)."""
    step = 7 if freq == "W" else 1
    m = SEASON[freq]
    ids = sorted(data)
    spans = []
    for uid in ids:
        keys = data[uid]
        lo, hi = min(keys), max(keys)
        vals = [keys.get(k, 0.0) for k in range(lo, hi + 1, step)]
        spans.append((hi, vals))
    width = max(len(v) for _, v in spans)
    y = np.full((len(ids), width), np.nan)
    for i, (_, vals) in enumerate(spans):
        y[i, width - len(vals) :] = vals
    phase = np.array([(hi // step) % m for hi, _ in spans], dtype=np.intp)
    f = forecast_periodic(y, horizon=horizon, season_length=m, backtest_h=horizon, category=phase)
    q = f.period_quantiles(np.array([0.1, 0.5, 0.9]))
    rows = []
    for i, uid in enumerate(ids):
        model = f.model_names[int(f.model_index[i])]
        for j in range(horizon):
            ds = _period_date(spans[i][0] + (j + 1) * step, freq).isoformat()
            vals = [float(v) for v in (f.mean[i, j], *q[i, j])]
            rows.append([uid, ds, *(f"{v:.4f}" for v in vals), model])
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit code (0 ok, 2 invalid input)."""
    parser = argparse.ArgumentParser(prog="restock_forecasting")
    sub = parser.add_subparsers(dest="command", required=True)
    fc = sub.add_parser("forecast", help="forecast series from a CSV file")
    fc.add_argument("--input", required=True, type=Path)
    fc.add_argument("--freq", required=True, choices=sorted(SEASON))
    fc.add_argument("--horizon", required=True, type=int)
    fc.add_argument("--output", required=True, type=Path)
    args = parser.parse_args(argv)
    if args.horizon < 1:
        print("error: --horizon must be >= 1", file=sys.stderr)
        return 2
    try:
        data = read_series(args.input, args.freq)
    except (InputError, OSError, UnicodeDecodeError) as exc:
        print(f"error: {args.input}: {exc}", file=sys.stderr)
        return 2
    rows = run(data, args.freq, args.horizon)
    with args.output.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["unique_id", "ds", "mean", "p10", "p50", "p90", "model"])
        w.writerows(rows)
    return 0


__all__ = ["InputError", "main", "read_series", "run"]
