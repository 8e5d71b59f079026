"""Event envelope, topics and versioned payload models shared by every Restock service."""
