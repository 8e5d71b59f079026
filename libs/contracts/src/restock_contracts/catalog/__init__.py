"""Catalog context: SKUs, suppliers, locations and bills of materials."""
