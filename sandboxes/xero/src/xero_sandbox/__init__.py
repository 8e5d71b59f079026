"""A Xero identity + accounting API sandbox that behaves like Xero, seeded with demo data."""
