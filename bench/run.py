"""``make bench``: run every ``bench/bench_*.py`` (or ``--only NAME``) and print figures.

Each benchmark runs in its own process (clean memory, its own infrastructure) and prints
lines like ``area.metric: value (target …)``. The machine and each run's wall time are
printed too; copy the figures into ``bench/results.md``.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", help="benchmark name, e.g. messaging for bench_messaging.py")
    args = parser.parse_args()
    scripts = sorted(HERE.glob("bench_*.py"))
    if args.only:
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") == args.only]
        if not scripts:
            names = ", ".join(
                s.stem.removeprefix("bench_") for s in sorted(HERE.glob("bench_*.py"))
            )
            print(f"no benchmark named {args.only!r}; choose from: {names}", file=sys.stderr)
            return 2
    python = platform.python_version()
    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, Python {python}")
    failed = []
    for script in scripts:
        name = script.stem.removeprefix("bench_")
        print(f"\n=== {name} ===", flush=True)
        started = time.perf_counter()
        result = subprocess.run([sys.executable, str(script)], check=False)
        print(
            f"=== {name}: {'ok' if result.returncode == 0 else 'FAILED'} in "
            f"{time.perf_counter() - started:.1f}s ===",
            flush=True,
        )
        if result.returncode != 0:
            failed.append(name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
