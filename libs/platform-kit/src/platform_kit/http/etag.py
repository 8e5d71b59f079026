"""ETag / If-Match for editable resources: lost updates become 412."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Request

from platform_kit.http.problems import Problem

_HEADER_SAFE = "".join(chr(c) for c in range(0x21, 0x7F) if chr(c) not in '"%\\')


def etag_for(resource_id: object, version: int) -> str:
    """Weak ETag of a resource version; ids outside printable ASCII are percent-encoded
    so the value is always a valid header."""
    return f'W/"{quote(str(resource_id), safe=_HEADER_SAFE)}-{version}"'


def check_if_match(request: Request, current: str, *, required: bool = True) -> None:
    """Compare ``If-Match`` with the current ETag: 428 if missing (and required), 412 if stale."""
    header = request.headers.get("if-match")
    if header is None:
        if required:
            raise Problem(428, "Precondition required", "send If-Match with the resource's ETag")
        return
    candidates = {c.strip() for c in header.split(",")}
    if "*" in candidates or current in candidates or current.removeprefix("W/") in candidates:
        return
    raise Problem(
        412, "Precondition failed", "the resource changed since you read it", current_etag=current
    )
