"""``python -m po_gateway api|migrate|dlq list|dlq replay|prune``."""

from platform_kit.cli import run
from po_gateway.app import build_spec

if __name__ == "__main__":
    run(build_spec)
