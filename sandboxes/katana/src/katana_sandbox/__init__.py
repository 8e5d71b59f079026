"""A Katana MRP API sandbox that behaves like Katana, seeded with demo data."""

from katana_sandbox.app import create_app
from katana_sandbox.config import SandboxClock, SandboxConfig

__all__ = ["SandboxClock", "SandboxConfig", "create_app"]
