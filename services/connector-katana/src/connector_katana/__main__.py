"""``python -m connector_katana api|migrate|dlq list|dlq replay|prune``."""

from platform_kit.cli import run

from connector_katana.app import build_spec

if __name__ == "__main__":
    run(build_spec)
