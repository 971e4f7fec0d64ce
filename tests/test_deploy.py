"""deploy/: the manifests parse and say what an operator relies on (no Docker engine needed)."""

from __future__ import annotations

import configparser
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"


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


def test_alert_rules_cover_what_an_operator_must_know() -> None:
    rules = yaml.safe_load((DEPLOY / "prometheus" / "alerts.yaml").read_text(encoding="utf-8"))
    names = {r["alert"] for g in rules["groups"] for r in g["rules"]}
    assert names == {
        "ZendeskSlaNoSuccessfulCycle",
        "ZendeskSlaCursorLag",
        "ZendeskSlaRateLimitWaits",
        "ZendeskSlaRefusedWrites",
        "ZendeskSlaBreachesRising",
        "ZendeskSlaSeverityModelUnusable",
        "ZendeskSlaDegraded",
    }
    from prometheus_client import generate_latest
    from zendesk_sla.ops.metrics import Metrics

    exposed = generate_latest(Metrics().registry).decode()
    for group in rules["groups"]:
        for rule in group["rules"]:
            for metric in re.findall(r"zendesk_sla_[a-z_]+", rule["expr"]):
                assert metric.removesuffix("_total") in exposed, metric


def test_alert_rules_pass_promtool() -> None:
    import shutil
    import subprocess

    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool is not installed here (Prometheus is not in Debian's base image)")
    result = subprocess.run(
        [promtool, "test", "rules", "alerts_test.yaml"],
        cwd=DEPLOY / "prometheus",
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_grafana_dashboard_reads_exposed_metrics() -> None:
    import json

    from prometheus_client import generate_latest
    from zendesk_sla.ops.metrics import Metrics

    dashboard = json.loads((DEPLOY / "grafana" / "zendesk-sla.json").read_text(encoding="utf-8"))
    exposed = generate_latest(Metrics().registry).decode()
    assert dashboard["panels"]
    for panel in dashboard["panels"]:
        for target in panel["targets"]:
            for metric in re.findall(r"(?:zendesk_sla|process)_[a-z_]+", target["expr"]):
                assert metric.removesuffix("_total") in exposed, metric


def test_the_systemd_unit_is_hardened() -> None:
    import shutil
    import subprocess

    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed here")
    result = subprocess.run(
        [analyze, "security", "--offline=true", str(DEPLOY / "systemd" / "zendesk-sla.service")],
        capture_output=True,
        text=True,
        check=False,
    )
    match = re.search(r"Overall exposure level for \S+: ([0-9.]+)", result.stdout)
    if match is None:
        pytest.skip(f"systemd-analyze could not rate the unit here: {result.stderr[:200]}")
    assert float(match.group(1)) < 3
