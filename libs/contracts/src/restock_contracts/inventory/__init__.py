"""Inventory context: stock levels and stock movements."""
