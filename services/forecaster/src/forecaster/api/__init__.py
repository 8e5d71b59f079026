"""HTTP routers (thin: parse, call one use case, map errors)."""
