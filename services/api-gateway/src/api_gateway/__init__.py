"""Restock api-gateway: Public API, identity and tenants: the only way in for the web app, partners and operators."""
