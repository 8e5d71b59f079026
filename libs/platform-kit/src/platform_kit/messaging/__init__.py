"""Kafka messaging: topic admin, outbox relay, idempotent consumer loop, sync tracking."""
