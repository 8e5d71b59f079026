"""``python -m forecaster api|migrate|dlq list|dlq replay|prune|forecast``.

``forecast --input FILE.csv --freq {D,W,M} --horizon H --output OUT.csv`` is the engine's
CSV command (``restock_forecasting.cli``); it needs no database or broker.
"""

import sys
from collections.abc import Sequence

from forecaster.app import build_spec
from platform_kit.cli import run


def main(argv: Sequence[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["forecast"]:
        from restock_forecasting.cli import main as forecast_main

        sys.exit(forecast_main(args))
    run(build_spec)


if __name__ == "__main__":
    main()
