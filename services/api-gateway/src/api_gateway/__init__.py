"""Restock api-gateway service."""
