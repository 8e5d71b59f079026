"""Forecasting context: the forecast contract the planner plans from."""
