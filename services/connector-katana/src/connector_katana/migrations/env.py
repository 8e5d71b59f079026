from connector_katana.adapters.orm import metadata
from platform_kit.db.migrations import run_migrations_env

run_migrations_env(metadata)
