"""Use cases: the same functions serve the HTTP routers, the consumers and the recompute task."""
