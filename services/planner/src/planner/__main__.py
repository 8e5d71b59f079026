"""``python -m planner api|migrate|dlq list|dlq replay|prune``."""

from planner.app import build_spec
from platform_kit.cli import run

if __name__ == "__main__":
    run(build_spec)
