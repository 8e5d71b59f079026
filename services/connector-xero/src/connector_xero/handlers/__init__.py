"""Use cases of connector-xero (routers, consumers and workers call these)."""
