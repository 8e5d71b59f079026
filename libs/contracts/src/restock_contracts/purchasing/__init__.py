"""Purchasing context: purchase order lines as the provider reports them."""
