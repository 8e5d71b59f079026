"""HTTP conventions shared by every service (architecture §3)."""
