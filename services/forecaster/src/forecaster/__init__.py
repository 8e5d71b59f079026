"""Restock forecaster service."""
