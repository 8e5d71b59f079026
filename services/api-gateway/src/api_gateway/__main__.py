"""``python -m api_gateway api|migrate|dlq list|dlq replay|prune|dev-tenant``."""

from api_gateway.app import build_spec
from api_gateway.dev import configure, dev_tenant
from platform_kit.cli import run

if __name__ == "__main__":
    run(build_spec, extra={"dev-tenant": (dev_tenant, configure)})
