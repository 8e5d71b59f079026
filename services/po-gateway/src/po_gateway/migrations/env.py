from platform_kit.db.migrations import run_migrations_env
from po_gateway.adapters.orm import metadata

run_migrations_env(metadata)
