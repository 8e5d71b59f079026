"""Restock planner: Settings, safety stock, reorder points, the order plan and the dashboard."""
