"""Writes ``web/openapi.json``: the public API as the SPA sees it, merged from the services'
own OpenAPI documents with each path moved under the gateway's ``/api/v1`` prefix.

Used only while the gateway's committed ``public_openapi.json`` does not exist; once it
does, ``npm run gen:api`` reads that file instead. Run with
``uv run python web/scripts/services_openapi.py``.
"""

from __future__ import annotations

import importlib
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from platform_kit.service import create_app

OUT = Path(__file__).resolve().parents[1] / "openapi.json"

# (package, service path prefix, public path prefix); the first matching prefix wins.
ROUTES: dict[str, list[tuple[str, str]]] = {
    "connector_katana": [
        ("/connections", "/api/v1/katana/connections"),
        ("/loads/", "/api/v1/katana/loads/"),
    ],
    "connector_xero": [("/v1/xero/", "/api/v1/xero/")],
    "forecaster": [
        ("/forecasts", "/api/v1/forecasts"),
        ("/forecast-runs", "/api/v1/forecast-runs"),
        ("/overrides/", "/api/v1/overrides/"),
    ],
    "planner": [("/v1/plan", "/api/v1/plan"), ("/v1/settings", "/api/v1/settings")],
    "po_gateway": [("/v1/purchase-orders", "/api/v1/purchase-orders")],
    "api_gateway": [
        (f"/v1/{name}", f"/api/v1/{name}")
        for name in ("me", "members", "invitations", "api-keys", "tenants/current", "signup")
    ],
}


def _public(package: str, path: str) -> str | None:
    for inner, outer in ROUTES[package]:
        if path.startswith(inner):
            return outer + path[len(inner) :]
    return None


def _rename_refs(node: Any, renames: dict[str, str]) -> Any:
    if isinstance(node, dict):
        out = {k: _rename_refs(v, renames) for k, v in node.items()}
        ref = out.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            name = ref.rsplit("/", 1)[1]
            out["$ref"] = "#/components/schemas/" + renames.get(name, name)
        return out
    if isinstance(node, list):
        return [_rename_refs(v, renames) for v in node]
    return node


def build() -> dict[str, Any]:
    """The merged document; a schema name used by two services with different shapes is
    prefixed with the service's package name."""
    merged: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": "Restock public API (merged from services)", "version": "1"},
        "paths": {},
        "components": {"schemas": {}},
    }
    keys = tempfile.mkdtemp(prefix="restock-openapi-keys-")
    for package in ROUTES:
        settings = importlib.import_module(f"{package}.settings").Settings(
            database_url="postgresql://unused@127.0.0.1:1/unused",
            kafka_bootstrap_servers="127.0.0.1:1",
            keys_dir=keys,
        )
        doc = create_app(importlib.import_module(f"{package}.app").build_spec(settings)).openapi()
        schemas = doc.get("components", {}).get("schemas", {})
        renames = {
            name: f"{package}_{name}"
            for name, schema in schemas.items()
            if merged["components"]["schemas"].get(name, schema) != schema
        }
        for name, schema in schemas.items():
            merged["components"]["schemas"][renames.get(name, name)] = _rename_refs(
                schema, renames
            )
        for path, ops in doc["paths"].items():
            public = _public(package, path)
            if public is not None:
                merged["paths"][public] = _rename_refs(ops, renames)
    return merged


def main() -> int:
    OUT.write_text(json.dumps(build(), indent=1, sort_keys=True) + "\n")
    print(f"wrote {OUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
