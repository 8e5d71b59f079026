"""Restock po-gateway service."""
