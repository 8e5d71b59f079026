"""Restock api-gateway: public API, identity and tenants.

The only way in for the web app, partner API clients and operators.
"""
