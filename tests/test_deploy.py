"""deploy/: the manifests parse and say what an operator relies on (no Docker engine needed)."""

from __future__ import annotations

import configparser
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"


def manifests() -> list[dict[str, Any]]:
    docs = []
    for path in sorted((DEPLOY / "k8s").glob("*.yaml")):
        docs += [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]
    return docs


def test_the_example_secret_names_every_key_the_pods_read() -> None:
    path = DEPLOY / "k8s-examples" / "secret.example.yaml"
    secret = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert secret["kind"] == "Secret" and secret["metadata"]["name"] == "zendesk-sla"
    assert {"ZENDESK_SUBDOMAIN", "ZENDESK_EMAIL", "ZENDESK_API_TOKEN"} <= set(secret["stringData"])
    deployment = by_kind("Deployment")
    sources = deployment["spec"]["template"]["spec"]["containers"][0]["envFrom"]
    assert {"secretRef": {"name": "zendesk-sla"}} in sources


def by_kind(kind: str) -> dict[str, Any]:
    return next(d for d in manifests() if d["kind"] == kind)


def test_every_manifest_has_api_version_kind_and_name() -> None:
    docs = manifests()
    assert {d["kind"] for d in docs} == {
        "Deployment",
        "CronJob",
        "PersistentVolumeClaim",
        "ConfigMap",
        "Service",
    }  # no Secret: `kubectl apply -f deploy/k8s/` must never overwrite the real token
    for doc in docs:
        assert doc["apiVersion"]
        assert doc["metadata"]["name"].startswith("zendesk-sla")


def test_deployment_runs_one_non_root_replica_with_state_and_health() -> None:
    spec = by_kind("Deployment")["spec"]
    assert spec["replicas"] == 1
    assert spec["strategy"]["type"] == "Recreate"
    pod = spec["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    container = pod["containers"][0]
    # Startup and readiness follow progress; liveness only that the process runs.
    assert container["startupProbe"]["httpGet"]["path"] == "/healthz/live"
    assert container["readinessProbe"]["httpGet"]["path"] == "/healthz/ready"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz/live"
    assert container["args"][-2:] == ["--metrics-host", "0.0.0.0"]
    assert container["args"][0] == "daemon"
    mounts = {m["mountPath"] for m in container["volumeMounts"]}
    assert "/var/lib/zendesk-sla" in mounts
    claims = [
        v["persistentVolumeClaim"]["claimName"]
        for v in pod["volumes"]
        if "persistentVolumeClaim" in v
    ]
    assert claims == [by_kind("PersistentVolumeClaim")["metadata"]["name"]]
    assert container["envFrom"][0]["secretRef"]["name"] == "zendesk-sla"  # created by hand


def test_backfill_cronjob_never_overlaps_itself() -> None:
    spec = by_kind("CronJob")["spec"]
    assert spec["concurrencyPolicy"] == "Forbid"
    assert len(spec["schedule"].split()) == 5
    command = " ".join(spec["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["args"])
    assert "backfill --since" in command


def test_dockerfile_is_pinned_and_non_root() -> None:
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    for image in re.findall(r"^FROM\s+(\S+)", text, re.MULTILINE):
        assert re.search(r":\d+\.\d+\.\d+", image), f"{image} is not pinned"
    users = re.findall(r"^USER\s+(\S+)", text, re.MULTILINE)
    assert users and not users[-1].startswith(("root", "0"))
    assert "HEALTHCHECK" in text
    # The image carries PostgreSQL's driver: the documented two-replica setup needs it.
    built = re.search(r"pip wheel .*--wheel-dir /wheels (\S+)", text)
    assert built and built.group(1).strip("'\"") == ".[postgres]"
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    assert any(d.startswith("psycopg") for d in extras["postgres"])


@pytest.mark.parametrize("unit", sorted(p.name for p in (DEPLOY / "systemd").iterdir()))
def test_systemd_units_parse(unit: str) -> None:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(DEPLOY / "systemd" / unit)
    assert "Unit" in parser
    if unit.endswith(".service"):
        assert parser["Service"]["ExecStart"]
        assert parser["Service"]["User"] == "zendesk-sla"
    if unit.endswith(".timer"):
        assert parser["Timer"]["OnCalendar"]


def test_the_configmap_carries_the_real_policy() -> None:
    import sys

    sys.path.insert(0, str(DEPLOY))
    from make_configmap import POLICY, render

    configmap = by_kind("ConfigMap")
    assert configmap["data"]["athento.yaml"] == POLICY.read_text(encoding="utf-8")
    assert (DEPLOY / "k8s" / "configmap.yaml").read_text(encoding="utf-8") == render(), (
        "run deploy/make_configmap.py"
    )


def test_the_service_and_servicemonitor_scrape_the_metrics_port() -> None:
    service = by_kind("Service")
    port = service["spec"]["ports"][0]
    assert (port["name"], port["port"]) == ("metrics", 9108)
    monitor = yaml.safe_load(
        (DEPLOY / "prometheus" / "servicemonitor.yaml").read_text(encoding="utf-8")
    )
    assert monitor["kind"] == "ServiceMonitor"
    assert monitor["spec"]["endpoints"][0]["port"] == "metrics"
    assert monitor["spec"]["selector"]["matchLabels"] == service["spec"]["selector"]


def _rules() -> list[dict[str, Any]]:
    rules = yaml.safe_load((DEPLOY / "prometheus" / "alerts.yaml").read_text(encoding="utf-8"))
    return [r for g in rules["groups"] for r in g["rules"]]


def _exposed_names() -> dict[str, set[str]]:
    """Every series name /metrics can serve, with the label names it carries."""
    from prometheus_client.metrics import MetricWrapperBase
    from zendesk_sla.ops.metrics import Metrics

    metrics = Metrics()
    names: dict[str, set[str]] = {}
    for family in metrics.registry.collect():  # the process and runtime collectors
        for sample in family.samples:
            names.setdefault(sample.name, set()).update(sample.labels)
    for metric in vars(metrics).values():
        if isinstance(metric, MetricWrapperBase):
            labels = set(metric._labelnames)
            for suffix in ("", "_total", "_bucket", "_sum", "_count"):
                extra = {"le"} if suffix == "_bucket" else set()
                names.setdefault(metric._name + suffix, set()).update(labels | extra)
    return names


def _selectors(expr: str) -> list[tuple[str, list[str]]]:
    """(metric, label names in its braces) for each metric an expression names."""
    found = re.findall(r"((?:zendesk_sla|process)_[a-z_]+)(\{[^}]*\})?", expr)
    return [(name, re.findall(r"(\w+)\s*=~?", braces)) for name, braces in found]


def test_alert_rules_cover_what_an_operator_must_know() -> None:
    assert {r["alert"] for r in _rules()} == {
        "ZendeskSlaWorkerDown",
        "ZendeskSlaTwoWriters",
        "ZendeskSlaNoSuccessfulCycle",
        "ZendeskSlaCursorLag",
        "ZendeskSlaRateLimitWaits",
        "ZendeskSlaRefusedWrites",
        "ZendeskSlaBreachesRising",
        "ZendeskSlaSeverityModelUnusable",
        "ZendeskSlaDegraded",
        "ZendeskSlaConfigReloadRefused",
    }
    exposed = _exposed_names()
    for rule in _rules():
        for metric, labels in _selectors(rule["expr"]):
            assert metric in exposed, (rule["alert"], metric)
            assert set(labels) <= exposed[metric], (rule["alert"], metric, labels)
        runbook = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
        assert f"### {rule['alert']}" in runbook, f"no runbook entry for {rule['alert']}"


def test_each_alert_has_a_rule_test_that_fires_it_and_one_that_does_not() -> None:
    tests = yaml.safe_load((DEPLOY / "prometheus" / "alerts_test.yaml").read_text("utf-8"))
    seen: dict[str, set[bool]] = {}
    for case in tests["tests"]:
        for check in case["alert_rule_test"]:
            seen.setdefault(check["alertname"], set()).add(bool(check["exp_alerts"]))
    assert seen == {r["alert"]: {True, False} for r in _rules()}


@pytest.mark.parametrize(
    "command", [["check", "rules", "alerts.yaml"], ["test", "rules", "alerts_test.yaml"]]
)
def test_alert_rules_pass_promtool(command: list[str]) -> None:
    import shutil
    import subprocess

    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool is not installed here: apt-get install prometheus (.ci/run does)")
    result = subprocess.run(
        [promtool, *command],
        cwd=DEPLOY / "prometheus",
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_grafana_dashboard_reads_exposed_metrics() -> None:
    import json

    dashboard = json.loads((DEPLOY / "grafana" / "zendesk-sla.json").read_text(encoding="utf-8"))
    exposed = _exposed_names()
    assert dashboard["panels"]
    for panel in dashboard["panels"]:
        for target in panel["targets"]:
            for metric, labels in _selectors(target["expr"]):
                assert metric in exposed, (panel["title"], metric)
                assert set(labels) <= exposed[metric], (panel["title"], metric, labels)


@pytest.mark.parametrize("unit", ["zendesk-sla.service", "zendesk-sla-backfill.service"])
def test_the_systemd_units_are_hardened(unit: str) -> None:
    import shutil
    import subprocess

    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed here")
    result = subprocess.run(
        [analyze, "security", "--offline=true", str(DEPLOY / "systemd" / unit)],
        capture_output=True,
        text=True,
        check=False,
    )
    match = re.search(r"Overall exposure level for \S+: ([0-9.]+)", result.stdout)
    if match is None:
        pytest.skip(f"systemd-analyze could not rate the unit here: {result.stderr[:200]}")
    assert float(match.group(1)) < 3
