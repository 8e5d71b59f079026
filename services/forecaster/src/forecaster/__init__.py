"""Restock forecaster: Demand history, per-SKU model choice, uncertainty and explanations."""
