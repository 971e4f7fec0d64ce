"""Shared fixtures: the bundled policy, loaded once."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from zendesk_sla.config import Config, load_config
from zendesk_sla.core.policy import Policy
from zendesk_sla.model.attach import with_model

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "config" / "athento.yaml"


def unpaced_yaml(directory: Path, **sync: object) -> Path:
    """The bundled policy for a command run against the test sandbox, which has no export
    limit: the worker need not space its export requests (6 s each at Zendesk's 10/min)."""
    data = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    data["sync"].update({"incremental_exports_per_minute": 0, **sync})
    path = directory / "policy.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def config() -> Config:
    return load_config(CONFIG)


@pytest.fixture(scope="session")
def policy(config: Config) -> Policy:
    return config.policy


@pytest.fixture(scope="session")
def rules_policy(policy: Policy) -> Policy:
    """The bundled policy deciding severity by its phrase rules alone (no model beside them):
    for the specifications of the rules' pattern language."""
    return with_model(policy, None)


pytest_plugins = ["tests.sandbox_fixtures"]
pytest_plugins += ["tests.worker_fixtures", "tests.postgres_fixtures"]
