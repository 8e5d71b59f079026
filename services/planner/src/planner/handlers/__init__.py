"""Use cases: ingest events, edit settings, re-plan, and the read side."""
