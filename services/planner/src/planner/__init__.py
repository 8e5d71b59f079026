"""Restock planner service."""
