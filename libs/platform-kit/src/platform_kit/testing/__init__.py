"""pytest plugin: Postgres/broker fixtures and internal-token helpers (filled in by the kit)."""
