"""Restock platform kit: settings, database unit of work, outbox, consumer loop, auth, metrics, logging, local infrastructure and test fixtures."""
