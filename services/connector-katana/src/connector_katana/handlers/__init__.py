"""Use cases: connections, load jobs, webhooks, PO submission, schedule."""
