"""Restock connector-xero service."""
