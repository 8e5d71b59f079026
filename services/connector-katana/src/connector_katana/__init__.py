"""Restock connector-katana: connections, load jobs, webhooks, purchase-order creation."""
