"""Pure forecaster logic: demand semantics, stock-outs, location roll-up, overrides.

Nothing here imports SQLAlchemy, aiokafka or FastAPI; arrays in, arrays out.
"""
