"""pytest plugin registered from the root pytest config."""
