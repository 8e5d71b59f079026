"""Router dependencies."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from connector_xero.handlers.deps import Deps
from platform_kit.http.problems import Problem


def get_deps(request: Request) -> Deps:
    """The process's use-case dependencies (built at startup)."""
    runtime = getattr(request.app.state, "runtime", None)
    deps = runtime.extras.get("xero") if runtime is not None else None
    if deps is None:
        raise Problem(503, "Service starting", "connector not ready")
    return deps


XeroDeps = Annotated[Deps, Depends(get_deps)]
