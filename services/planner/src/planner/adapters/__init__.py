"""Adapters: database tables and repositories, provider HTTP clients."""
