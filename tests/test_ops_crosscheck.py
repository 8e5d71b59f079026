"""Service names, ports and environment agree across deploy/compose.yaml, the Kubernetes
overlays, the Prometheus scrape configs, deploy/local/stack.py and the settings classes;
every variable set maps to a settings field or a documented global; compose is valid."""

from __future__ import annotations

import re
import subprocess
import sys
from typing import Any

import pytest
from ops_support import (
    DEPLOY,
    KIT_GLOBAL_ENV,
    OVERLAYS,
    PROMETHEUS_DIR,
    ROOT,
    allowed_env,
    compose_interpolate,
    kustomize,
    load_yaml,
    settings_class,
    stack_module,
)

SERVICES = {p.name: p for p in stack_module().SERVICES}
DURATION = re.compile(r"^(\d+(ms|s|m|h))+$")
DEPENDS_CONDITIONS = {
    "service_started",
    "service_healthy",
    "service_completed_successfully",
}
COMPOSE_TOP = {"name", "services", "volumes", "networks", "secrets", "configs", "include"}
SERVICE_KEYS = {
    "image", "build", "command", "entrypoint", "environment", "ports", "volumes",
    "depends_on", "healthcheck", "restart", "labels", "secrets", "networks", "user",
}  # fmt: skip


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return load_yaml(DEPLOY / "compose.yaml")


@pytest.fixture(scope="module")
def rendered() -> dict[str, list[dict[str, Any]]]:
    return {overlay: kustomize(overlay) for overlay in OVERLAYS}


def test_stack_services_match_their_settings_classes() -> None:
    assert len(SERVICES) == 6
    for name, proc in SERVICES.items():
        cls = settings_class(proc.module)
        assert cls.model_config["env_prefix"] == proc.env_prefix, name
        assert cls.model_fields["port"].default == proc.port, name
        assert cls.model_fields["service_name"].default == name
        assert proc.env_prefix == proc.module.upper() + "_"
        assert (ROOT / "services" / name / "pyproject.toml").exists()
    assert sorted(p.port for p in SERVICES.values()) == list(range(8000, 8006))


def test_documented_globals_are_read_by_the_kit() -> None:
    for name, source in KIT_GLOBAL_ENV.items():
        assert name in (ROOT / source).read_text(), f"{name} no longer read in {source}"


def _validate_compose_structure(compose: dict[str, Any]) -> None:
    extra = {k for k in compose if not k.startswith("x-")} - COMPOSE_TOP
    assert not extra, f"unknown top-level keys {extra}"
    services = compose["services"]
    volumes = set(compose.get("volumes") or {})
    for name, svc in services.items():
        assert set(svc) - SERVICE_KEYS == set(), f"{name}: unknown keys {set(svc) - SERVICE_KEYS}"
        assert "image" in svc or "build" in svc, name
        env = svc.get("environment", {})
        assert isinstance(env, dict), f"{name}: environment as a mapping"
        assert all(isinstance(v, str) for v in env.values()), f"{name}: env values are strings"
        for dep, cond in (svc.get("depends_on") or {}).items():
            assert dep in services, f"{name} depends on unknown {dep}"
            assert cond["condition"] in DEPENDS_CONDITIONS
            if cond["condition"] == "service_healthy":
                assert "healthcheck" in services[dep], f"{dep} needs a healthcheck"
        if "healthcheck" in svc:
            check = svc["healthcheck"]
            assert check["test"][0] in {"CMD", "CMD-SHELL", "NONE"}, name
            for key in ("interval", "timeout", "start_period"):
                if key in check:
                    assert DURATION.match(check[key]), f"{name}.{key}={check[key]}"
        for port in svc.get("ports", []):
            assert re.fullmatch(r"\d+:\d+", port), f"{name}: port {port}"
        for volume in svc.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (DEPLOY / source).exists(), f"{name}: {source} does not exist"
            else:
                assert source in volumes, f"{name}: volume {source} is not declared"
        if "build" in svc:
            assert (DEPLOY / svc["build"]["context"] / svc["build"]["dockerfile"]).exists()


def test_compose_is_valid(compose: dict[str, Any]) -> None:
    """Structural checks plus the compose-spec JSON schema (check-jsonschema ships it as
    ``vendor.compose-spec``)."""
    _validate_compose_structure(compose)
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec",
         str(DEPLOY / "compose.yaml")],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_infrastructure(compose: dict[str, Any]) -> None:
    services = compose["services"]
    kafka = services["kafka"]
    assert kafka["image"].startswith("apache/kafka:")
    assert "broker,controller" in kafka["environment"]["KAFKA_PROCESS_ROLES"], "KRaft"
    assert kafka["environment"]["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false", "topics are explicit"
    assert services["postgres"]["image"].startswith("postgres:16")
    prom = services["prometheus"]
    assert "./prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro" in prom["volumes"]
    assert "./prometheus/rules:/etc/prometheus/rules:ro" in prom["volumes"]
    grafana = services["grafana"]
    assert "./grafana/provisioning:/etc/grafana/provisioning:ro" in grafana["volumes"]
    provider = (DEPLOY / "grafana/provisioning/dashboards/restock.yaml").read_text()
    mount = next(v for v in grafana["volumes"] if v.startswith("./grafana/dashboards:"))
    assert mount.split(":")[1] in provider


def test_compose_services_ports_and_env_agree(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name, proc in SERVICES.items():
        svc = services[name]
        assert svc["build"]["args"]["SERVICE"] == name
        assert svc["build"]["dockerfile"] == "deploy/Dockerfile"
        assert svc["image"].startswith(f"restock/{name}:")
        env = svc["environment"]
        assert env[f"{proc.env_prefix}PORT"] == str(proc.port)
        assert env[f"{proc.env_prefix}HOST"] == "0.0.0.0"
        assert svc["ports"] == [f"{proc.port}:{proc.port}"]
        assert env["KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
        assert "@postgres:5432/" in env["DATABASE_URL"]
        unknown = set(env) - allowed_env(proc.module)
        assert not unknown, f"{name}: {sorted(unknown)} map to no settings field or global"
        for cond in ("postgres", "kafka"):
            assert svc["depends_on"][cond]["condition"] == "service_healthy"
        assert "/usr/local/lib/restock-healthcheck.py" in svc["healthcheck"]["test"]


def test_compose_env_parses_into_each_settings_class(
    compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, proc in SERVICES.items():
        env = {
            k: compose_interpolate(v) for k, v in compose["services"][name]["environment"].items()
        }
        with monkeypatch.context() as m:
            for key, value in env.items():
                m.setenv(key, value)
            settings = settings_class(proc.module)()
        assert settings.port == proc.port and settings.host == "0.0.0.0"
        assert settings.kafka_bootstrap_servers == "kafka:9092"
        assert settings.service_database_url().endswith("/restock_" + name.replace("-", "_"))
        assert str(settings.keys_dir) == "/var/lib/restock/keys"


def _deployments(objects: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == "Deployment"}


def test_k8s_deployments_services_and_probes_agree(
    rendered: dict[str, list[dict[str, Any]]],
) -> None:
    for overlay, objects in rendered.items():
        deployments = _deployments(objects)
        assert set(deployments) == set(SERVICES), overlay
        services = {o["metadata"]["name"]: o for o in objects if o["kind"] == "Service"}
        pdbs = {o["metadata"]["name"] for o in objects if o["kind"] == "PodDisruptionBudget"}
        configmaps = {o["metadata"]["name"]: o for o in objects if o["kind"] == "ConfigMap"}
        for name, proc in SERVICES.items():
            pod = deployments[name]["spec"]["template"]
            (container,) = pod["spec"]["containers"]
            assert container["image"].split("/")[-1].startswith(f"{name}:"), container["image"]
            assert container["ports"] == [{"name": "http", "containerPort": proc.port}]
            assert pod["metadata"]["annotations"]["prometheus.io/port"] == str(proc.port)
            assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
            assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
            assert container["resources"]["requests"] and container["resources"]["limits"]
            assert pod["spec"]["securityContext"]["runAsNonRoot"] is True
            (migrate,) = pod["spec"]["initContainers"]
            assert migrate["args"] == ["migrate"] and migrate["image"] == container["image"]
            assert services[name]["spec"]["ports"][0]["port"] == proc.port
            assert name in pdbs, f"{overlay}: {name} has no PodDisruptionBudget"
            for c in (container, migrate):
                _check_k8s_env(overlay, name, proc, c, configmaps)
            env = {e["name"]: e for e in container["env"]}
            assert env[f"{proc.env_prefix}HOST"]["value"] == "0.0.0.0"
            assert env[f"{proc.env_prefix}PORT"]["value"] == str(proc.port)
            assert env[f"{proc.env_prefix}MIGRATE_ON_START"]["value"] == "false"
            for secret_env in ("DATABASE_URL", *KIT_GLOBAL_ENV):
                assert env[secret_env]["valueFrom"]["secretKeyRef"]["name"] == "restock-secrets"


def _check_k8s_env(
    overlay: str, name: str, proc: Any, container: dict[str, Any], configmaps: dict[str, Any]
) -> None:
    names = {e["name"] for e in container.get("env", [])}
    for source in container.get("envFrom", []):
        ref = source["configMapRef"]["name"]
        assert ref in configmaps, f"{overlay}/{name}: ConfigMap {ref} is missing"
        names |= set(configmaps[ref]["data"])
    for e in container.get("env", []):
        ref = e.get("valueFrom", {}).get("configMapKeyRef")
        if ref:
            assert ref["key"] in configmaps[ref["name"]]["data"], f"{overlay}/{name}: {ref}"
    unknown = names - allowed_env(proc.module)
    assert not unknown, f"{overlay}/{name}: {sorted(unknown)} map to no settings field or global"
    assert {"DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS"} <= names


def test_k8s_autoscaling_is_bounded_by_partitions(
    rendered: dict[str, list[dict[str, Any]]],
) -> None:
    from restock_contracts.topics import ALL_TOPICS

    partitions = max(topic.partitions for topic in ALL_TOPICS)
    for overlay, objects in rendered.items():
        hpas = {o["spec"]["scaleTargetRef"]["name"]: o for o in objects if o["kind"] == "HorizontalPodAutoscaler"}  # fmt: skip
        assert {"forecaster", "planner"} <= set(hpas), overlay
        for target, hpa in hpas.items():
            assert target in SERVICES
            assert 1 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"] <= partitions


def test_prod_overlay_pins_images_and_runs_two_replicas(
    rendered: dict[str, list[dict[str, Any]]],
) -> None:
    for name, deployment in _deployments(rendered["prod"]).items():
        assert deployment["metadata"]["namespace"] == "restock"
        assert deployment["spec"]["replicas"] >= 2, name
        image = deployment["spec"]["template"]["spec"]["containers"][0]["image"]
        assert re.search(r":\d+\.\d+\.\d+$", image), image


@pytest.mark.parametrize(
    ("config", "host"), [("prometheus.yml", None), ("prometheus.local.yml", "127.0.0.1")]
)
def test_prometheus_scrape_configs_cover_every_service(config: str, host: str | None) -> None:
    scrape = load_yaml(PROMETHEUS_DIR / config)
    jobs = {j["job_name"]: j for j in scrape["scrape_configs"]}
    for name, proc in SERVICES.items():
        (static,) = jobs[name]["static_configs"]
        assert static["targets"] == [f"{host or name}:{proc.port}"]
        assert jobs[name].get("metrics_path", "/metrics") == "/metrics"
        assert "labels" not in static, "a target label would clash with the service's labels"
    assert scrape["rule_files"] == ["rules/*.yaml"]


def test_make_up_prints_each_metrics_url_and_the_scrape_config(
    capsys: pytest.CaptureFixture[str],
) -> None:
    stack = stack_module()
    env = {"DATABASE_URL": "postgresql://pg", "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1"}
    stack._print_table(list(stack.SERVICES), env, 1.0)
    out = capsys.readouterr().out
    for proc in SERVICES.values():
        assert f"http://127.0.0.1:{proc.port}/metrics" in out, proc.name
    config = "deploy/prometheus/prometheus.local.yml"
    assert f"--config.file={config}" in out and (ROOT / config).exists()


def test_gateway_serves_the_web_app_where_the_image_holds_it(
    compose: dict[str, Any], rendered: dict[str, list[dict[str, Any]]]
) -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    found = re.search(r"^COPY --from=web \S+ /web/dist (\S+)$", dockerfile, re.M)
    assert found, "the runtime stage copies the built web app"
    dist = found.group(1)
    gateway_env = compose["services"]["api-gateway"]["environment"]
    assert gateway_env["API_GATEWAY_WEB_DIST"] == dist
    assert "API_GATEWAY_WEB_DIST" in allowed_env("api_gateway")
    for overlay, objects in rendered.items():
        (container,) = _deployments(objects)["api-gateway"]["spec"]["template"]["spec"][
            "containers"
        ]
        env = {e["name"]: e.get("value") for e in container["env"]}
        assert env["API_GATEWAY_WEB_DIST"] == dist, overlay


def _upstream_fields() -> dict[str, dict[str, str]]:
    """Service -> {env name: upstream service} for settings whose default is another
    service's local address (``http://127.0.0.1:<its port>``)."""
    by_port = {proc.port: name for name, proc in SERVICES.items()}
    out: dict[str, dict[str, str]] = {}
    for name, proc in SERVICES.items():
        cls = settings_class(proc.module)
        for field, info in cls.model_fields.items():
            found = re.fullmatch(r"http://127\.0\.0\.1:(\d+)/?", str(info.default))
            if field.endswith("_url") and found and int(found.group(1)) in by_port:
                env = f"{proc.env_prefix}{field}".upper()
                out.setdefault(name, {})[env] = by_port[int(found.group(1))]
    return out


def test_service_to_service_urls_point_at_service_names(
    compose: dict[str, Any], rendered: dict[str, list[dict[str, Any]]]
) -> None:
    """Defaults only work on one host (make up); compose and k8s set every upstream URL."""
    upstreams = _upstream_fields()
    assert upstreams.get("po-gateway", {}).get("PO_GATEWAY_PLANNER_URL") == "planner"
    for name, fields in upstreams.items():
        env = compose["services"][name]["environment"]
        for variable, upstream in fields.items():
            wanted = f"http://{upstream}:{SERVICES[upstream].port}"
            assert env.get(variable, "").rstrip("/") == wanted, f"compose {name}: {variable}"
            for overlay, objects in rendered.items():
                pod = _deployments(objects)[name]["spec"]["template"]["spec"]
                (container,) = pod["containers"]
                values = {e["name"]: e.get("value") for e in container["env"]}
                assert (values.get(variable) or "").rstrip("/") == wanted, (
                    f"{overlay} {name}: {variable}"
                )
