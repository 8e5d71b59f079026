"""Restock connector-katana service."""
