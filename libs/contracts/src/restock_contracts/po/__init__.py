"""Purchase order submission: po-gateway requests, connectors report the result."""
