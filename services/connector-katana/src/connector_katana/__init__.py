"""Restock connector-katana: Katana MRP connector: connections, load jobs, webhooks, purchase-order creation."""
