"""``python -m restock_forecasting forecast ...``."""

import sys

from .cli import main

sys.exit(main())
