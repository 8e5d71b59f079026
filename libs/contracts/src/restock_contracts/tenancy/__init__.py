"""Tenancy context: tenant lifecycle published by the api-gateway."""
