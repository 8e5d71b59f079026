"""HTTP routers (thin: parse, call one handler, map errors)."""
