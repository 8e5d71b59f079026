"""Restock connector-xero: Xero connector: OAuth grants, load jobs, webhooks, purchase-order creation."""
