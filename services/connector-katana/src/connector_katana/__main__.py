"""``python -m connector_katana api|migrate|dlq list|dlq replay|prune``."""

from connector_katana.app import build_spec
from platform_kit.cli import run

if __name__ == "__main__":
    run(build_spec)
