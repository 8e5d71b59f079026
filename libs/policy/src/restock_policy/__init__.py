"""Restock inventory-policy math: safety stock, reorder points, order quantities, simulation."""
