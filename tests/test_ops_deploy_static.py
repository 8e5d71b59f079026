"""Static checks of what cannot run here: the container image (no Docker engine) and the
Grafana dashboards (no Grafana). Dashboard queries run against a real Prometheus in
test_ops_prometheus.py."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
from fnmatch import fnmatch

import pytest
from ops_support import DEPLOY, GRAFANA_DIR, ROOT, dashboard_files, require_tool, stack_module

DOCKERFILE = (DEPLOY / "Dockerfile").read_text()


def test_dockerfile_builds_one_service_with_uv_as_non_root() -> None:
    froms = {stage: image for image, stage in re.findall(r"^FROM (\S+) AS (\S+)", DOCKERFILE, re.M)}
    assert froms == {
        "runtime": "${PYTHON_IMAGE}",
        "build": "${PYTHON_IMAGE}",
        "web": "${NODE_IMAGE}",
    }
    assert re.search(r"^ARG PYTHON_IMAGE=python:3\.11-slim", DOCKERFILE, re.M)
    assert re.search(r'pip install --no-cache-dir "uv==', DOCKERFILE)
    assert 'uv sync --frozen --no-dev --no-editable --package "${SERVICE}"' in DOCKERFILE
    assert "UV_PYTHON_DOWNLOADS=never" in DOCKERFILE
    user = re.findall(r"^USER (\S+)", DOCKERFILE, re.M)
    assert user and user[-1].split(":")[0] not in {"0", "root"}
    assert re.search(r"^HEALTHCHECK .*\n.*restock-healthcheck\.py", DOCKERFILE, re.M)
    assert "/healthz" in (DEPLOY / "docker/healthcheck.py").read_text()
    entrypoint = (DEPLOY / "docker/entrypoint.sh").read_text()
    assert 'exec python -m "$module" "$@"' in entrypoint
    assert re.search(r'^CMD \["api"\]', DOCKERFILE, re.M)


def test_dockerfile_builds_the_web_app_from_every_build_input() -> None:
    """The node stage copies every input web/scripts/build.py hashes, runs ``npm ci`` and
    ``npm run build``; the runtime holds the result where api-gateway serves it from."""
    spec = importlib.util.spec_from_file_location("web_build", ROOT / "web/scripts/build.py")
    assert spec and spec.loader
    web_build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(web_build)
    stage = DOCKERFILE.split("AS web\n", 1)[1].split("\nFROM ", 1)[0]
    copied = {p for line in re.findall(r"^COPY (.+)$", stage, re.M) for p in line.split()[:-1]}
    assert {f"web/{name}" for name in web_build.INPUTS} | {"web/src"} <= copied
    assert "npm ci" in stage and "npm run build" in stage
    assert "COPY --from=web --chown=root:root /web/dist /app/web/dist" in DOCKERFILE
    assert re.search(r"^ARG NODE_IMAGE=node:\d+-bookworm-slim$", DOCKERFILE, re.M)
    assert json.loads((ROOT / "web/package.json").read_text())["scripts"]["build"]


def test_dockerfile_copies_exist_and_are_not_ignored() -> None:
    ignored = [
        line.strip()
        for line in (DEPLOY / "Dockerfile.dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    sources = []
    for line in re.findall(r"^COPY (?!--from)(.+)$", DOCKERFILE, re.M):
        parts = [p for p in line.split() if not p.startswith("--")]
        sources += parts[:-1]
    assert {"pyproject.toml", "uv.lock", "libs", "services", "sandboxes"} <= set(sources)
    assert {"web/package-lock.json", "web/src"} <= set(sources)
    for source in sources:
        assert (ROOT / source).exists(), source
        assert not any(fnmatch(source, pattern) for pattern in ignored), source


@pytest.mark.parametrize("service", [p.name for p in stack_module().SERVICES])
def test_uv_lock_resolves_each_service_alone(service: str) -> None:
    """What `uv sync --frozen --no-dev --package <service>` installs, without installing it."""
    result = subprocess.run(
        [require_tool("uv"), "export", "--frozen", "--no-dev", "--package", service,
         "--no-hashes", "--no-emit-workspace"],
        capture_output=True, text=True, cwd=ROOT, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    requirements = result.stdout
    assert "fastapi" in requirements and "uvicorn" in requirements
    for dev_only in ("ruff==", "mypy==", "hypothesis==", "import-linter=="):
        assert dev_only not in requirements, "dev dependencies stay out of the image"


def test_dashboards_are_generated_and_use_the_datasource_variable() -> None:
    spec = importlib.util.spec_from_file_location("gen", GRAFANA_DIR / "generate_dashboards.py")
    assert spec and spec.loader
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    expected = generator.render()
    files = {p.name: p.read_text() for p in dashboard_files()}
    assert files == expected, "run: uv run python deploy/grafana/generate_dashboards.py"
    assert {"overview.json", "sync.json", "messaging.json", "forecasting.json",
            "purchase-orders.json"} <= set(files)  # fmt: skip
    provisioned = (GRAFANA_DIR / "provisioning/datasources/prometheus.yaml").read_text()
    uids = set()
    for name, text in files.items():
        board = json.loads(text)
        uids.add(board["uid"])
        variables = {v["name"]: v for v in board["templating"]["list"]}
        assert variables["datasource"]["type"] == "datasource"
        assert variables["datasource"]["query"] == "prometheus"
        assert f"uid: {variables['datasource']['current']['value']}" in provisioned
        assert board["panels"], name
        ids = [p["id"] for p in board["panels"]]
        assert len(ids) == len(set(ids)), name
        for panel in board["panels"]:
            assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
            assert panel["targets"], f"{name}: {panel['title']}"
            for target in panel["targets"]:
                assert target["datasource"]["uid"] == "${datasource}"
                assert "tenant" not in target["expr"]
    assert len(uids) == len(files)
