"""Restock po-gateway: Purchase-order drafts, approval and exactly-once sending to Katana and Xero."""
