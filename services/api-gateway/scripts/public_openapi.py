"""Generate the merged OpenAPI 3.1 document of the public API (``/api/v1``).

    uv run python services/api-gateway/scripts/public_openapi.py --update   # rewrite it
    uv run python services/api-gateway/scripts/public_openapi.py --check    # exit 1 if stale

It builds every service's FastAPI app in-process (nothing is started or connected), keeps
the operations the route table exposes (``api_gateway.domain.routes``), rewrites their
paths, merges the components (a clashing schema name is prefixed with its service), makes
operationIds unique, adds the bearer scheme, the gateway's own 401/403/429 answers and
an example to every JSON request and response body. The gateway serves the committed
result at ``GET /api/v1/openapi.json``; the web app generates its typed client from it.
This script, not the gateway, imports the other services.
"""

from __future__ import annotations

import argparse
import copy
import importlib
import json
import sys
from pathlib import Path
from typing import Any

from api_gateway.domain.routes import API_PREFIX, OWN_PREFIXES, PUBLIC_API, public_path

OUTPUT = Path(__file__).resolve().parents[1] / "src" / "api_gateway" / "public_openapi.json"
PACKAGES = {
    "api-gateway": "api_gateway",
    "connector-katana": "connector_katana",
    "connector-xero": "connector_xero",
    "forecaster": "forecaster",
    "planner": "planner",
    "po-gateway": "po_gateway",
}
PROBLEM = {"$ref": "#/components/schemas/ProblemModel"}
EDGE_RESPONSES = {
    "401": "Missing, invalid, expired or revoked credential.",
    "403": "The caller's role does not allow this operation.",
    "429": "Rate limit exceeded; retry after the number of seconds in Retry-After.",
}
DESCRIPTION = """The public API of Restock. Every operation goes through api-gateway, which
verifies the caller (an OAuth access token, a client-credentials token or a personal API
key `rsk_…`, all as `Authorization: Bearer …`) and forwards it to the owning service.

Conventions: errors are `application/problem+json`; lists take `?page=&page_size=` and
answer `{items, page, page_size, total, total_pages}`; `?sort=field,-other`; filters are
query parameters named after the field, plus `q`; editable resources carry an `ETag` and
need `If-Match` (412/428); creating POSTs accept `Idempotency-Key`; every answer carries
`X-Correlation-ID`. Rate limits per client and per tenant answer 429 with `Retry-After`."""


def service_documents() -> dict[str, dict[str, Any]]:
    """Each service's own OpenAPI document, from its app factory (no I/O)."""
    from platform_kit.service import create_app

    documents = {}
    for service, package in PACKAGES.items():
        app_module = importlib.import_module(f"{package}.app")
        settings = importlib.import_module(f"{package}.settings").Settings()
        documents[service] = create_app(app_module.build_spec(settings)).openapi()
    return documents


def _exposed(service: str, path: str) -> str | None:
    if service == "api-gateway":
        rest = path.removeprefix("/v1")
        own = path.startswith("/v1/") and rest.startswith(OWN_PREFIXES)
        return API_PREFIX + rest if own else None
    public = public_path(service, path)
    return public if public and public.startswith(API_PREFIX + "/") else None


def _rename_refs(node: Any, renames: dict[str, str]) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                name = value.rsplit("/", 1)[-1]
                out[key] = "#/components/schemas/" + renames.get(name, name)
            else:
                out[key] = _rename_refs(value, renames)
        return out
    if isinstance(node, list):
        return [_rename_refs(item, renames) for item in node]
    return node


def _pascal(service: str) -> str:
    return "".join(part.capitalize() for part in service.split("-"))


def example_for(schema: dict[str, Any], schemas: dict[str, Any], depth: int = 0) -> Any:
    """A value that satisfies ``schema`` (first choice of unions, required and optional
    members of objects, one item per array)."""
    if depth > 8:
        return None
    if "$ref" in schema:
        return example_for(schemas[schema["$ref"].rsplit("/", 1)[-1]], schemas, depth + 1)
    for key in ("example", "default", "const"):
        if key in schema and schema[key] is not None:
            return schema[key]
    if schema.get("examples"):
        return schema["examples"][0]
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("type") != "null"] or schema[key]
            return example_for(options[0], schemas, depth + 1)
    if "allOf" in schema:
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            value = example_for(part, schemas, depth + 1)
            if isinstance(value, dict):
                merged.update(value)
        return merged
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return {
            name: example_for(sub, schemas, depth + 1)
            for name, sub in schema.get("properties", {}).items()
        }
    if kind == "array":
        item = example_for(schema.get("items", {}), schemas, depth + 1)
        return [item] * max(1, schema.get("minItems", 1))
    if kind == "integer":
        return max(int(schema.get("minimum", 1)), int(schema.get("exclusiveMinimum", 0)) + 1)
    if kind == "number":
        return float(max(schema.get("minimum", 1.0), schema.get("exclusiveMinimum", 0.0) + 1))
    if kind == "boolean":
        return True
    if kind == "string":
        return _string_example(schema)
    return {} if kind is None else None


def _string_example(schema: dict[str, Any]) -> str:
    formats = {
        "uuid": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "date": "2026-01-31",
        "date-time": "2026-01-31T09:00:00Z",
        "email": "ops@example.com",
        "uri": "https://example.com/",
        "binary": "",
    }
    value = formats.get(schema.get("format", ""), "example")
    minimum = schema.get("minLength", 0)
    return value + "x" * max(0, minimum - len(value))


def _add_examples(operation: dict[str, Any], schemas: dict[str, Any]) -> None:
    bodies = [operation.get("requestBody", {}).get("content", {})]
    bodies += [r.get("content", {}) for r in operation.get("responses", {}).values()]
    for content in bodies:
        for media, entry in content.items():
            if "json" in media and "schema" in entry and "example" not in entry:
                value = example_for(entry["schema"], schemas)
                if value is not None:
                    entry["example"] = value


def merge(documents: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The public document from the services' documents (see module doc)."""
    schemas: dict[str, Any] = {}
    paths: dict[str, Any] = {}
    operation_ids: set[str] = set()
    for service, document in documents.items():
        own = document.get("components", {}).get("schemas", {})
        renames = {
            name: _pascal(service) + name
            for name, schema in own.items()
            if name in schemas and schemas[name] != _rename_refs(schema, {})
        }
        document = _rename_refs(copy.deepcopy(document), renames)
        for name, schema in document.get("components", {}).get("schemas", {}).items():
            schemas.setdefault(renames.get(name, name), schema)
        for path, operations in document["paths"].items():
            public = _exposed(service, path)
            if public is None:
                continue
            for method, operation in operations.items():
                op_id = operation.get("operationId") or f"{method}_{public}"
                if op_id in operation_ids:
                    op_id = service.replace("-", "_") + "_" + op_id
                operation_ids.add(op_id)
                operation["operationId"] = op_id
                operation.setdefault("tags", [service])
                paths.setdefault(public, {})[method] = operation
    for path, operations in paths.items():
        for method, operation in operations.items():
            if (method.upper(), path) in PUBLIC_API:
                operation["security"] = []
            else:
                operation["security"] = [{"bearer": []}]
                responses = operation.setdefault("responses", {})
                for code, text in EDGE_RESPONSES.items():
                    content = {"application/problem+json": {"schema": PROBLEM}}
                    responses.setdefault(code, {"description": text, "content": content})
            responses = operation.setdefault("responses", {})
            for code in ("202", "204"):
                content = responses.get(code, {}).get("content", {})
                if content and all(not c.get("schema") for c in content.values()):
                    del responses[code]["content"]
            if "422" in responses:
                responses["422"] = {
                    "description": "The request is not valid (field errors in ``errors``).",
                    "content": {"application/problem+json": {"schema": PROBLEM}},
                }
            _add_examples(operation, schemas)
    for unused in ("HTTPValidationError", "ValidationError"):
        if unused not in json.dumps(paths):
            schemas.pop(unused, None)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Restock public API", "version": "1.0.0", "description": DESCRIPTION},
        "servers": [{"url": "/"}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Access token (authorization code or client credentials) "
                    "or personal API key.",
                }
            },
        },
    }


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the snapshot is stale")
    parser.add_argument("--update", action="store_true", help="rewrite the snapshot")
    args = parser.parse_args(argv)
    text = render(merge(service_documents()))
    if args.update:
        OUTPUT.write_text(text)
        print(f"wrote {OUTPUT}")
        return 0
    stale = not OUTPUT.exists() or OUTPUT.read_text() != text
    if args.check and stale:
        print(f"{OUTPUT} is stale: run {Path(__file__).name} --update", file=sys.stderr)
        return 1
    if not args.check:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
