"""The committed public OpenAPI snapshot is what the generator makes from the services'
current schemas, and it follows the conventions (unique operationIds, bearer security,
problem answers, examples); the route table agrees with it."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from api_gateway.domain.routes import PUBLIC_API, public_path, resolve
from api_gateway.domain.templates import compile_templates, match

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "public_openapi.py"


@pytest.fixture(scope="module")
def generator() -> Any:
    spec = importlib.util.spec_from_file_location("gw_public_openapi_script", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_snapshot_is_current(generator: Any) -> None:
    fresh = generator.render(generator.merge(generator.service_documents()))
    assert generator.OUTPUT.read_text() == fresh, (
        "public_openapi.json is stale: run "
        "uv run python services/api-gateway/scripts/public_openapi.py --update"
    )


def test_snapshot_follows_the_conventions(generator: Any) -> None:
    document = json.loads(generator.OUTPUT.read_text())
    assert document["openapi"].startswith("3.1")
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    ids = [op["operationId"] for ops in document["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids)) >= 70
    for path, operations in document["paths"].items():
        assert path.startswith("/api/v1/"), path
        for method, op in operations.items():
            public = (method.upper(), path) in PUBLIC_API
            assert op["security"] == ([] if public else [{"bearer": []}]), (method, path)
            if not public:
                assert {"401", "403", "429"} <= set(op["responses"]), (method, path)
            for code, answer in op["responses"].items():
                for media, content in answer.get("content", {}).items():
                    if "json" in media and code.startswith("2") and content.get("schema"):
                        assert "example" in content, (method, path, code)
            body = op.get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                assert "example" in body, (method, path)
            if "422" in op["responses"]:
                assert "application/problem+json" in op["responses"]["422"]["content"]
    paths = json.dumps(document["paths"])
    refs = {r.split('"')[0] for r in paths.split('"#/components/schemas/')[1:]}
    assert refs <= set(document["components"]["schemas"]), refs - set(
        document["components"]["schemas"]
    )


def test_route_table_maps_every_documented_service_path() -> None:
    document = json.loads((SCRIPT.parents[1] / "src/api_gateway/public_openapi.json").read_text())
    templates = compile_templates((p, list(ops)) for p, ops in document["paths"].items())
    for path, operations in document["paths"].items():
        concrete = path.replace("{", "x").replace("}", "")
        for method in operations:
            assert match(templates, method.upper(), concrete) == (path, True)
        target = resolve(concrete)
        if target is not None:
            assert public_path(target.service, target.path) == concrete
    assert resolve("/api/v1/katana/connections/c1/loads").path == "/connections/c1/loads"
    assert resolve("/api/v1/xero/loads/j1").path == "/v1/xero/loads/j1"
    assert resolve("/api/v1/plan/export.csv").path == "/v1/plan/export.csv"
    assert resolve("/api/v1/planning") is None, "prefixes match whole segments"
    assert resolve("/api/v1/katana/v1/tenant") is None, "kit routes are not exposed"
    assert resolve("/webhooks/xero").public
    assert match(templates, "PUT", "/api/v1/plan") == ("/api/v1/plan", False)
    assert match(templates, "GET", "/api/v1/plan/rows/a/b") == (
        "/api/v1/plan/rows/{variant_id}/{location_id}",
        True,
    )
