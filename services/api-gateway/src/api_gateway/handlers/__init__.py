"""Use cases of api-gateway: tenants, accounts, tokens and the authorization server."""

from api_gateway.handlers.tenants import create_tenant

__all__ = ["create_tenant"]
