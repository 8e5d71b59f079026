"""Restock forecasting engine: vectorised demand classification, models, backtests and quantiles."""
