"""``python -m api_gateway api|migrate|dlq list|dlq replay|prune|dev-tenant|rotate-signing-key``."""

from api_gateway.app import build_spec
from api_gateway.dev import configure, configure_rotate, dev_tenant, rotate_signing_key
from platform_kit.cli import run

if __name__ == "__main__":
    run(
        build_spec,
        extra={
            "dev-tenant": (dev_tenant, configure),
            "rotate-signing-key": (rotate_signing_key, configure_rotate),
        },
    )
