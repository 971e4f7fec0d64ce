"""The daemon reloads a changed contract file after validating it, and keeps the old one
(saying why) when the new one is invalid."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from structlog.testing import capture_logs
from zendesk_sla.config import load_config
from zendesk_sla.ops.reload import ConfigWatcher

from tests.conftest import CONFIG
from tests.test_contract_versions import VERSION
from tests.worker_fixtures import AppFactory


@pytest.fixture
def policy_file(tmp_path: Path) -> Path:
    path = tmp_path / "policy.yaml"
    path.write_bytes(CONFIG.read_bytes())
    return path


def _edit(path: Path, **changes: object) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(changes)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_an_unchanged_file_is_not_reloaded(policy_file: Path) -> None:
    watcher = ConfigWatcher(load_config(policy_file), load_config)
    assert watcher.check() is None


def test_a_new_contract_version_is_picked_up(policy_file: Path) -> None:
    watcher = ConfigWatcher(load_config(policy_file), load_config)
    _edit(policy_file, contract_versions=[VERSION])
    with capture_logs() as logs:
        fresh = watcher.check()
    assert fresh is not None and fresh.raw.contract_versions[0].description == "renovación 2027"
    assert logs[-1]["event"] == "config_reloaded" and logs[-1]["versions"] == ["2027-01-01"]
    assert watcher.check() is None  # once


def test_an_invalid_file_is_refused_with_its_reason_and_the_old_one_kept(
    policy_file: Path,
) -> None:
    first = load_config(policy_file)
    watcher = ConfigWatcher(first, load_config)
    _edit(policy_file, at_risk_ratio=3)
    with capture_logs() as logs:
        assert watcher.check() is None
    assert logs[-1]["event"] == "config_reload_refused"
    assert "at_risk_ratio" in logs[-1]["reason"]
    assert watcher.current is first
    _edit(policy_file, at_risk_ratio=0.5)  # fixed: taken at the next check
    fresh = watcher.check()
    assert fresh is not None and fresh.policy.at_risk_ratio == 0.5


def test_renamed_zendesk_fields_need_a_restart(policy_file: Path) -> None:
    watcher = ConfigWatcher(load_config(policy_file), load_config)
    data = yaml.safe_load(policy_file.read_text(encoding="utf-8"))
    data["zendesk"]["ticket_fields"]["response_due"] = "otro_campo"
    policy_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with capture_logs() as logs:
        assert watcher.check() is None
    assert "restart" in logs[-1]["reason"]


def test_a_reconfigured_worker_decides_with_the_new_file(
    make_app: AppFactory, policy_file: Path
) -> None:
    worker = make_app().worker()
    _edit(policy_file, contract_versions=[VERSION])
    fresh = load_config(policy_file)
    worker.reconfigure(fresh)
    assert worker.evaluator.config is fresh
    assert worker.config.policy.latest().terms.startswith("2027-01-01")


def test_a_retrained_model_is_picked_up_and_a_broken_one_leaves_the_rules_alone(
    policy_file: Path,
) -> None:
    from zendesk_sla.model.artefact import BUNDLED

    model = policy_file.parent / "model.json.gz"
    model.write_bytes(BUNDLED.read_bytes())
    text = policy_file.read_text(encoding="utf-8").replace("file: bundled", "file: model.json.gz")
    policy_file.write_text(text, encoding="utf-8")
    watcher = ConfigWatcher(load_config(policy_file), load_config)
    assert watcher.current.model is not None and watcher.current.model.problem is None
    model.write_bytes(b"half a model")  # the contract file is untouched
    with capture_logs() as logs:
        fresh = watcher.check()
    assert fresh is not None and fresh.policy.severity.text.model is None
    (warning,) = [e for e in logs if e["event"] == "severity_model_unusable"]
    assert "not gzipped JSON" in warning["problem"] and warning["using"] == "rules alone"
    model.write_bytes(BUNDLED.read_bytes())  # retrained (here: the good one back)
    with capture_logs() as logs:
        again = watcher.check()
    assert again is not None and again.policy.severity.text.model is not None
    assert any(e["event"] == "severity_model" and e["status"] == "loaded" for e in logs)


def test_a_refused_reload_is_a_metric_until_a_good_file_is_loaded(policy_file: Path) -> None:
    """One log line was all an operator had: the gauge keeps saying it, for the alert."""
    from zendesk_sla.ops.metrics import Metrics

    metrics = Metrics()
    watcher = ConfigWatcher(load_config(policy_file), load_config)
    metrics.reload_refused.set_function(lambda: 1.0 if watcher.refused else 0.0)

    def refused() -> float | None:
        return metrics.registry.get_sample_value("zendesk_sla_config_reload_refused")

    assert refused() == 0
    _edit(policy_file, at_risk_ratio=3)
    with capture_logs():
        assert watcher.check() is None
    assert refused() == 1
    assert watcher.check() is None  # unchanged since: still refused, not forgotten
    assert refused() == 1
    _edit(policy_file, at_risk_ratio=0.5)
    assert watcher.check() is not None
    assert refused() == 0
