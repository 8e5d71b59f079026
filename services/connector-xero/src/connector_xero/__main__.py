"""``python -m connector_xero api|migrate|dlq list|dlq replay|prune``."""

from connector_xero.app import build_spec
from platform_kit.cli import run

if __name__ == "__main__":
    run(build_spec)
