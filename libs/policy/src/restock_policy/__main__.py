"""``python -m restock_policy simulate ...``."""

import sys

from restock_policy.cli import main

sys.exit(main())
