"""Restock platform kit: the one place for service plumbing.

Settings, clock, database unit of work, transactional outbox and relay, idempotent
consumer loop with inbox and dead letters, safe-deletion tracking, internal tokens,
HTTP conventions (problem+json, paging, sorting, ETags, Idempotency-Key), envelope
encryption, JSON logging with redaction, Prometheus metrics, the app factory, local
infrastructure (embedded Postgres and broker) and pytest fixtures.
"""
