"""A Katana MRP API sandbox that behaves like Katana, seeded with demo data."""
