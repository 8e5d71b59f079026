"""Event consumers (thin: envelope in, the same handlers as the API)."""
