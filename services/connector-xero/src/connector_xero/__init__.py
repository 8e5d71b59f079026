"""Restock connector-xero: OAuth grants, load jobs, webhooks, purchase-order creation."""
