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


def by_kind(kind: str) -> dict[str, Any]:
    return next(d for d in manifests() if d["kind"] == kind)


def test_every_manifest_has_api_version_kind_and_name() -> None:
    docs = manifests()
    assert {d["kind"] for d in docs} == {
        "Deployment",
        "CronJob",
        "Secret",
        "PersistentVolumeClaim",
        "ConfigMap",
    }
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
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["args"][0] == "daemon"
    mounts = {m["mountPath"] for m in container["volumeMounts"]}
    assert "/var/lib/zendesk-sla" in mounts
    claims = [
        v["persistentVolumeClaim"]["claimName"]
        for v in pod["volumes"]
        if "persistentVolumeClaim" in v
    ]
    assert claims == [by_kind("PersistentVolumeClaim")["metadata"]["name"]]
    assert container["envFrom"][0]["secretRef"]["name"] == by_kind("Secret")["metadata"]["name"]


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
