from platform_kit.db.migrations import run_migrations_env

from connector_katana.adapters.orm import metadata

run_migrations_env(metadata)
