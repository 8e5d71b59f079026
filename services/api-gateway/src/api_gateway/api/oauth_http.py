"""The Starlette side of Authlib: requests in, (status, body, headers) out."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from authlib.oauth2.rfc6749 import OAuth2Payload, OAuth2Request
from fastapi import Request
from fastapi.responses import JSONResponse, Response


class _Payload(OAuth2Payload):
    def __init__(self, values: Mapping[str, str], lists: dict[str, list[str]]) -> None:
        self._values = dict(values)
        self._lists = lists

    @property
    def data(self) -> dict[str, str]:
        return self._values

    @property
    def datalist(self) -> defaultdict[str, list[str]]:
        return defaultdict(list, self._lists)


class StarletteOAuth2Request(OAuth2Request):
    """An OAuth2Request from already-read query and form values."""

    def __init__(
        self,
        method: str,
        uri: str,
        headers: Mapping[str, str],
        args: list[tuple[str, str]],
        form: list[tuple[str, str]],
    ) -> None:
        super().__init__(method=method, uri=uri, headers=headers)
        self._args = dict(args)
        self._form = dict(form)
        lists: dict[str, list[str]] = defaultdict(list)
        for key, value in [*args, *form]:
            lists[key].append(value)
        self.payload = _Payload({**self._args, **self._form}, lists)

    @property
    def args(self) -> dict[str, str]:
        return self._args

    @property
    def form(self) -> dict[str, str]:
        return self._form


async def oauth_request(
    request: Request, issuer: str, *, use_form: bool = True
) -> StarletteOAuth2Request:
    """Read the body (form-encoded) once, in async code, before Authlib's thread runs.

    The request URI is rebuilt on the public ``issuer`` URL, so a gateway behind a
    TLS-terminating proxy sees the https address its clients used.
    """
    form: list[tuple[str, str]] = []
    if use_form and request.method == "POST":
        data = await request.form()
        form = [(k, v) for k, v in data.multi_items() if isinstance(v, str)]
    return StarletteOAuth2Request(
        request.method,
        public_uri(request, issuer),
        request.headers,
        list(request.query_params.multi_items()),
        form,
    )


def public_uri(request: Request, issuer: str) -> str:
    query = request.url.query
    return issuer.rstrip("/") + request.url.path + (f"?{query}" if query else "")


def client_ip(request: Request, trusted_proxy_hops: int) -> str:
    """The caller's address; behind ``trusted_proxy_hops`` proxies, from X-Forwarded-For."""
    peer = request.client.host if request.client else "unknown"
    if trusted_proxy_hops <= 0:
        return peer
    hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    return hops[-trusted_proxy_hops] if len(hops) >= trusted_proxy_hops else peer


def to_response(result: tuple[int, Any, list[tuple[str, str]]]) -> Response:
    """Authlib's (status, body, headers) as a Starlette response (no-store for tokens)."""
    status, body, headers = result
    header_map = dict(headers)
    header_map.setdefault("Cache-Control", "no-store")
    header_map.setdefault("Pragma", "no-cache")
    if isinstance(body, dict):
        header_map.pop("Content-Type", None)
        return JSONResponse(body, status_code=status, headers=header_map)
    if isinstance(body, str) and body.startswith("{"):
        header_map.pop("Content-Type", None)
        return JSONResponse(json.loads(body), status_code=status, headers=header_map)
    return Response(body or b"", status_code=status, headers=header_map)
