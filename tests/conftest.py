"""Shared fixtures: the bundled policy, loaded once."""

from __future__ import annotations

from pathlib import Path

import pytest
from zendesk_sla.config import Config, load_config
from zendesk_sla.core.policy import Policy

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "config" / "athento.yaml"


@pytest.fixture(scope="session")
def config() -> Config:
    return load_config(CONFIG)


@pytest.fixture(scope="session")
def policy(config: Config) -> Policy:
    return config.policy


pytest_plugins = ["tests.sandbox_fixtures"]
pytest_plugins += ["tests.worker_fixtures", "tests.postgres_fixtures"]
