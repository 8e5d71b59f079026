"""Deterministic demo data generator for Restock (Katana- and Xero-shaped businesses)."""
