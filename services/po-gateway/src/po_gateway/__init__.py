"""Restock po-gateway: purchase-order drafts, approval, exactly-once sending."""
