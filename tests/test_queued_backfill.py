"""A backfill asked for while the daemon runs is run by the daemon, once."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import yaml
from zendesk_sla.sandbox.server import SandboxServer
from zendesk_sla.store import StateStore

from tests.conftest import CONFIG, ROOT
from tests.worker_fixtures import cli_env, spawn

CLI = [sys.executable, "-m", "zendesk_sla.cli"]


def test_the_daemon_runs_a_queued_backfill_once(sandbox: SandboxServer, tmp_path: Path) -> None:
    policy = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    policy["sync"].update(
        poll_interval_seconds=5, job_poll_interval_seconds=0.05, incremental_exports_per_minute=0
    )
    config = tmp_path / "policy.yaml"
    config.write_text(yaml.safe_dump(policy, allow_unicode=True), encoding="utf-8")
    state = tmp_path / "state.sqlite3"
    env = cli_env(sandbox, ZENDESK_SLA_STATE=str(state))

    def command(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*CLI, *args, "--config", str(config)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    assert command("setup").returncode == 0
    daemon = spawn("daemon", "--config", str(config), env=env)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not _polls(state):
            time.sleep(0.2)  # the daemon holds the lock once its first poll is recorded
        asked = command("backfill", "--since", "2026-01-01")
        assert asked.returncode == 0, asked.stderr
        assert "is queued" in asked.stdout
        while time.monotonic() < deadline + 60 and not _backfills(state):
            time.sleep(0.2)
        daemon.send_signal(signal.SIGTERM)
        _, err = daemon.communicate(timeout=60)
    finally:
        if daemon.poll() is None:
            daemon.kill()
            daemon.communicate()
    assert daemon.returncode == 0
    started = [json.loads(line) for line in err.splitlines() if "backfill_started" in line]
    assert len(started) == 1 and started[0]["since"] == 1767225600  # run once, not each poll
    store = StateStore(state)
    try:
        assert store.queued_backfill() is None
        assert _backfills(state) == 1
    finally:
        store.close()


def _polls(state: Path) -> int:
    return _count(state, "poll")


def _backfills(state: Path) -> int:
    return _count(state, "backfill")


def _count(state: Path, kind: str) -> int:
    if not state.exists():
        return 0
    store = StateStore(state)
    try:
        row = store.db.execute(
            "SELECT count(*) FROM cycles WHERE kind = ? AND ok = 1", (kind,)
        ).fetchone()
        return int(row[0])
    finally:
        store.close()
