"""Helpers for the deploy/ tests: YAML loading, kustomize rendering, settings env names.

YAML: PyYAML when it is installed, else ``kubectl patch --local`` (kubectl is required by
these tests anyway) converts a document to JSON without a cluster.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml
from pydantic import AliasChoices

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
PROMETHEUS_DIR = DEPLOY / "prometheus"
GRAFANA_DIR = DEPLOY / "grafana"
K8S_DIR = DEPLOY / "k8s"
OVERLAYS = ("dev", "prod")

# Environment variables read outside the settings classes (platform_kit reads them
# directly from os.environ); each must still appear in the kit's source.
KIT_GLOBAL_ENV = {
    "RESTOCK_INTERNAL_SIGNING_KEYS": "libs/platform-kit/src/platform_kit/auth.py",
    "RESTOCK_ENCRYPTION_KEYS": "libs/platform-kit/src/platform_kit/crypto.py",
}


def require_tool(name: str) -> str:
    """Path of a command-line tool; fails (never skips) when the bootstrap did not install it."""
    path = shutil.which(name)
    assert path, f"{name} is not on PATH: run `make bootstrap` (scripts/bootstrap.sh)"
    return path


def stack_module() -> ModuleType:
    """deploy/local/stack.py imported as a module (it only defines things at import)."""
    spec = importlib.util.spec_from_file_location("restock_local_stack", DEPLOY / "local/stack.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("restock_local_stack", module)
    spec.loader.exec_module(module)
    return module


def load_yaml_text(text: str) -> list[Any]:
    """All documents of a YAML text (anchors and merge keys resolved)."""
    return [d for d in yaml.safe_load_all(text) if d is not None]


def load_yaml(path: Path) -> Any:
    """The single document of a YAML file."""
    docs = load_yaml_text(path.read_text())
    assert len(docs) == 1, f"{path}: expected one YAML document, found {len(docs)}"
    return docs[0]


def kustomize(overlay: str) -> list[dict[str, Any]]:
    """Rendered objects of ``deploy/k8s/overlays/<overlay>`` (kubectl kustomize)."""
    kubectl = require_tool("kubectl")
    result = subprocess.run(
        [kubectl, "kustomize", str(K8S_DIR / "overlays" / overlay)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"kubectl kustomize {overlay} failed: {result.stderr}"
    return load_yaml_text(result.stdout)


def settings_class(module: str) -> Any:
    return importlib.import_module(f"{module}.settings").Settings


def settings_env_names(module: str) -> set[str]:
    """Environment variable names the service's Settings class reads (upper case)."""
    cls = settings_class(module)
    prefix = cls.model_config.get("env_prefix", "")
    names = set()
    for name, field in cls.model_fields.items():
        alias = field.validation_alias
        if isinstance(alias, AliasChoices):
            names.update(str(choice).upper() for choice in alias.choices)
        elif isinstance(alias, str):
            names.add(alias.upper())
        else:
            names.add(f"{prefix}{name}".upper())
    return names


def allowed_env(module: str) -> set[str]:
    return settings_env_names(module) | set(KIT_GLOBAL_ENV)


_INTERPOLATION = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}")


def compose_interpolate(value: str) -> str:
    """Compose ``${VAR:-default}`` with an empty shell environment."""
    return _INTERPOLATION.sub(lambda m: m.group(2) or "", value)


def metric_names(expr: str) -> set[str]:
    """Restock metric families a PromQL expression reads (histogram suffixes stripped)."""
    names = set()
    for name in re.findall(r"(?<![:\w])(restock_[a-z0-9_]+)(?![:\w])", expr):
        names.add(re.sub(r"_(bucket|count|sum)$", "", name))
    return names


def recorded_names(expr: str) -> set[str]:
    """Recording-rule series (``level:metric:operations``) an expression reads."""
    return set(re.findall(r"\b([a-z_]+:restock_[a-z0-9_]+:[a-z0-9_]+)", expr))


def rule_files() -> list[Path]:
    return sorted((PROMETHEUS_DIR / "rules").glob("*.yaml"))


def dashboard_files() -> list[Path]:
    return sorted((GRAFANA_DIR / "dashboards").glob("*.json"))


def dashboard_exprs() -> dict[str, list[str]]:
    """Dashboard file name → every query in it (panels and template variables)."""
    out: dict[str, list[str]] = {}
    for path in dashboard_files():
        board = json.loads(path.read_text())
        exprs = [t["expr"] for p in board["panels"] for t in p.get("targets", [])]
        for var in board["templating"]["list"]:
            if var["type"] == "query":
                exprs.append(var["definition"])
        out[path.name] = exprs
    return out


def rule_exprs() -> dict[str, str]:
    """``alert or record name`` → expression, over every rule file."""
    out = {}
    for path in rule_files():
        for group in load_yaml(path)["groups"]:
            for rule in group["rules"]:
                out[rule.get("alert") or rule["record"]] = rule["expr"]
    return out


def contract_metrics() -> dict[str, set[str]]:
    """The documented service-metric contract: name → label names (deploy/prometheus/README)."""
    text = (PROMETHEUS_DIR / "README.md").read_text()
    section = text.split("## Metric contract", 1)[1].split("\n## ", 1)[0]
    out = {}
    for match in re.finditer(r"^\| `(restock_[a-z0-9_]+)(?:\{([a-z_, ]*)\})?` \|", section, re.M):
        labels = {x.strip() for x in (match.group(2) or "").split(",") if x.strip()}
        out[match.group(1)] = labels
    return out


Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse_metrics(text: str) -> Samples:
    """Samples of a Prometheus text exposition: (name, labels) -> value."""
    from prometheus_client.parser import text_string_to_metric_families

    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def metric_value(samples: Samples, name: str, **labels: str) -> float | None:
    """Sum of the samples of ``name`` whose labels include ``labels``; None when none."""
    want = set(labels.items())
    found = [v for (n, ls), v in samples.items() if n == name and want <= ls]
    return sum(found) if found else None
