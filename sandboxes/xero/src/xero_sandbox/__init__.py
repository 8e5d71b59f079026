"""A Xero identity + accounting API sandbox that behaves like Xero, seeded with demo data.

``create_app(SandboxConfig(...))`` builds an independent in-memory sandbox;
``xero_sandbox.testing.running_sandbox`` runs one on a free port for tests.
"""

from xero_sandbox.app import create_app
from xero_sandbox.clock import SandboxClock
from xero_sandbox.config import ClientApp, Limits, OrgSpec, SandboxConfig, Timings

__all__ = [
    "ClientApp",
    "Limits",
    "OrgSpec",
    "SandboxClock",
    "SandboxConfig",
    "Timings",
    "create_app",
]
