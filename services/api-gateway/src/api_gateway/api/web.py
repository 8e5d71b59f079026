"""The built web app (a single-page app) at ``/``: files from the dist folder, and
``index.html`` for any other non-API path so client-side routes survive a reload."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse

from platform_kit.http.problems import Problem

RESERVED = (
    "api/",
    "v1/",
    "oauth/",
    "webhooks/",
    ".well-known/",
    "login",
    "healthz",
    "readyz",
    "metrics",
    "openapi.json",
    "docs",
)
"""First path segments that belong to the API and the identity pages, never to the SPA."""


def default_dist() -> Path | None:
    """``<repo>/web/dist`` when this package runs from the repository and it was built."""
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "web" / "dist"
        if (candidate / "index.html").is_file():
            return candidate
    return None


def mount_web(app: FastAPI, dist: Path) -> None:
    """Serve ``dist`` at ``/`` (registered last: every other route wins)."""
    root = dist.resolve()
    index = root / "index.html"

    @app.get("/{path:path}", include_in_schema=False)
    async def web_app(path: str) -> FileResponse:
        if path.startswith(RESERVED):
            raise Problem(404, "Not found", f"no route at /{path}")
        candidate = (root / path).resolve()
        if path and candidate.is_file() and candidate.is_relative_to(root):
            return FileResponse(candidate)
        if not index.is_file():
            raise Problem(404, "Not found", "the web app is not built")
        return FileResponse(index, headers={"Cache-Control": "no-cache"})
