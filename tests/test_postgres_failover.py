"""PostgreSQL going away under the worker: it reconnects, takes the lock again or steps
down, and what it writes to Zendesk is the same as when nothing happened.

Each test has a server of its own that it crashes (an immediate shutdown: sessions cut,
advisory locks gone, as in a restart or a failover) and starts again.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from zendesk_sla.account.fields import provision
from zendesk_sla.app import App
from zendesk_sla.ops.scheduler import guarded_job
from zendesk_sla.sandbox.serve import build_sandbox, sandbox_settings
from zendesk_sla.sandbox.server import SandboxServer
from zendesk_sla.store import StateError, StateStore
from zendesk_sla.store.base import RECONNECT_WAITS, LockLost
from zendesk_sla.sync.summary import Summary

from tests.conftest import ROOT
from tests.postgres_fixtures import PostgresServer, _free_port
from tests.sandbox_fixtures import UNLIMITED
from tests.worker_fixtures import cli_env, fast_config, spawn

START = float(int(time.time()))


class FrozenClock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now


def outcome(server: SandboxServer) -> dict[int, tuple[Any, ...]]:
    """Every ticket as an agent sees it: status, tags, fields and each comment's text."""
    account = server.sandbox.account
    return {
        t.id: (
            t.status,
            sorted(t.tags),
            sorted(t.custom_fields.items()),
            [c.get("body") for _, c in account.comments(t.id)],
        )
        for t in account.tickets.values()
        if t.status != "deleted"
    }


def run(pg: PostgresServer, *, crash_in_step: int | None) -> tuple[list[Any], list[str]]:
    """Six half-days of the daemon's jobs (poll, poll, sweep) on a fresh account and
    database; with `crash_in_step`, PostgreSQL is crashed and restarted during that step's
    first poll, right after Zendesk's answer to its second batch of writes, which the state has not
    recorded yet."""
    clock = FrozenClock()
    server = build_sandbox(tickets=150, seed=31, limits=UNLIMITED, clock=clock)
    steps: list[Any] = []
    crashes: list[str] = []
    with server:
        settings = sandbox_settings(server.url, zendesk_sla_database_url=pg.database())
        app = App(
            settings,
            fast_config(),
            clock=lambda: datetime.fromtimestamp(clock(), UTC),
            sleep=lambda _s: None,
        )
        try:
            assert app.wait_for_lock(retry_seconds=0.05)
            provision(app.gateway, app.config)
            worker = app.worker()
            step, calls = [0], [0]
            collect = app.gateway.collect

            def collect_then_crash(*args: Any, **kwargs: Any) -> Any:
                answered = collect(*args, **kwargs)
                calls[0] += step[0] == crash_in_step
                if calls[0] == 2 and not crashes:  # some writes recorded, this one not
                    pg.crash()
                    crashes.append("crashed")
                    pg.start()
                return answered

            app.gateway.collect = collect_then_crash  # type: ignore[method-assign]
            lock = threading.Lock()

            def after(_summary: Summary) -> None:
                return None

            def crashed(kind: str, error: str) -> None:
                crashes.append(f"{kind}: {error}")

            poll = guarded_job(lock, "poll", worker.run_cycle, after, crashed, app.recover)
            sweep = guarded_job(lock, "sweep", worker.run_sweep, after, crashed, app.recover)
            for number in range(6):
                step[0] = number
                clock.now += 12 * 3600
                poll()  # the scheduler's next poll comes a minute later at most
                poll()
                sweep()
                steps.append(outcome(server))
        finally:
            app.close()
    return steps, crashes


def test_a_postgresql_restart_mid_cycle_loses_and_repeats_nothing(tmp_path: Path) -> None:
    calm_pg, crashed_pg = PostgresServer(), PostgresServer()
    try:
        calm_pg.start()
        crashed_pg.start()
        calm, none = run(calm_pg, crash_in_step=None)
        restarted, crashes = run(crashed_pg, crash_in_step=0)  # the first sync
    finally:
        calm_pg.remove()
        crashed_pg.remove()
    assert none == []
    assert crashes[0] == "crashed" and len(crashes) == 2  # the one poll it cut short
    assert crashes[1].startswith("poll: ")
    assert sum(len(t[3]) for t in calm[-1].values()) > 50  # notes and notices were posted
    for step, (expected, seen) in enumerate(zip(calm, restarted, strict=True)):
        assert seen == expected, f"step {step}"


def test_a_restarted_postgresql_is_found_again_within_the_back_off(
    own_postgres: PostgresServer,
) -> None:
    url = own_postgres.database()
    store = StateStore(url)
    try:
        assert store.acquire()
        own_postgres.crash()
        waited: list[float] = []

        def wait(seconds: float) -> bool:
            waited.append(seconds)
            if len(waited) == 3:
                own_postgres.start()  # back after 1 + 2 + 4 s of waiting
            return False

        store.recover(wait)
        assert waited == [1.0, 2.0, 4.0]
        assert store.get("cursor:tickets") is None  # usable again
        rival = StateStore(url)
        try:
            assert rival.acquire() is False  # the lock was taken again
        finally:
            rival.close()
    finally:
        store.close()


def test_a_database_that_stays_away_is_one_clear_error(own_postgres: PostgresServer) -> None:
    store = StateStore(own_postgres.database())
    try:
        own_postgres.crash()
        waited: list[float] = []
        with pytest.raises(StateError, match="cannot reach the state at postgresql://"):
            store.recover(lambda s: waited.append(s) is not None)
        assert tuple(waited) == RECONNECT_WAITS
        assert sum(waited) < 60  # a restart is found within the cycle that noticed it
    finally:
        own_postgres.start()
        store.close()


def test_a_replica_that_took_over_meanwhile_keeps_the_lock(own_postgres: PostgresServer) -> None:
    url = own_postgres.database()
    active, standby = StateStore(url), StateStore(url)
    try:
        assert active.acquire() and not standby.acquire()
        own_postgres.crash()
        own_postgres.start()
        standby.recover(lambda _s: False)
        assert standby.acquire()  # the standby saw the lock free first
        with pytest.raises(LockLost, match="another replica holds the lock"):
            active.recover(lambda _s: False)
    finally:
        active.close()
        standby.close()


def test_a_standby_outlives_a_postgresql_restart(
    own_postgres: PostgresServer, sandbox: SandboxServer
) -> None:
    url = own_postgres.database()
    holder = StateStore(url)
    standby = App(sandbox_settings(sandbox.url, zendesk_sla_database_url=url), fast_config())
    got: list[bool | BaseException] = []

    def wait() -> None:
        try:
            got.append(standby.wait_for_lock(retry_seconds=0.05))
        except BaseException as exc:  # the assertion below shows it
            got.append(exc)

    waiting = threading.Thread(target=wait)
    try:
        assert holder.acquire()
        waiting.start()
        own_postgres.crash()  # the holder's session and lock go with it
        own_postgres.start()
        waiting.join(timeout=120)
        assert got == [True]
    finally:
        standby.stop.set()
        waiting.join(timeout=60)
        holder.close()
        standby.close()


def test_a_standby_daemon_answers_its_probes(
    postgres_url: str, sandbox: SandboxServer, tmp_path: Path
) -> None:
    """Kubernetes' startup probe must not kill a replica waiting for the lock."""
    import json
    from urllib.request import urlopen

    holder = StateStore(postgres_url)
    port = _free_port()
    env = cli_env(sandbox, ZENDESK_SLA_DATABASE_URL=postgres_url)
    assert holder.acquire()
    daemon = spawn("daemon", "--metrics-port", str(port), env=env)
    try:
        deadline, answers = time.monotonic() + 60, {}
        while time.monotonic() < deadline and len(answers) < 2:
            try:
                for path in ("/healthz/live", "/healthz"):
                    with urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as reply:
                        answers[path] = (reply.status, json.loads(reply.read()))
            except OSError:
                time.sleep(0.2)
        assert answers["/healthz/live"][0] == 200
        status, body = answers["/healthz"]
        assert status == 200 and body["status"] == "standby"
        with urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as reply:
            assert "zendesk_sla_active 0.0" in reply.read().decode()
        daemon.send_signal(signal.SIGTERM)
        _, err = daemon.communicate(timeout=60)
    finally:
        if daemon.poll() is None:
            daemon.kill()
        holder.close()
    assert daemon.returncode == 0
    assert '"event": "standby"' in err and "Traceback" not in err


def test_a_daemon_that_lost_the_lock_meanwhile_stops_writing(
    own_postgres: PostgresServer, sandbox: SandboxServer, tmp_path: Path
) -> None:
    """Never two writers: the daemon is frozen while PostgreSQL restarts and another
    replica takes the lock; thawed, its next cycle finds the lock taken and it exits
    (its service manager starts it again, in standby)."""
    import json
    from urllib.request import urlopen

    import yaml

    from tests.conftest import CONFIG

    url = own_postgres.database()
    policy = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    policy["sync"].update(poll_interval_seconds=5, job_poll_interval_seconds=0.05)
    config = tmp_path / "policy.yaml"
    config.write_text(yaml.safe_dump(policy, allow_unicode=True), encoding="utf-8")
    port = _free_port()
    env = cli_env(sandbox, ZENDESK_SLA_DATABASE_URL=url)
    command = [sys.executable, "-m", "zendesk_sla.cli"]
    subprocess.run(
        [*command, "setup", "--config", str(config)], cwd=ROOT, env=env, check=True, timeout=60
    )
    daemon = spawn("daemon", "--config", str(config), "--metrics-port", str(port), env=env)
    rival = None
    try:
        deadline, status = time.monotonic() + 60, ""
        while time.monotonic() < deadline and status != "ready":
            try:
                with urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as reply:
                    status = json.loads(reply.read())["status"]
            except OSError:
                time.sleep(0.2)
        assert status == "ready"  # a poll succeeded: it holds the lock and writes
        daemon.send_signal(signal.SIGSTOP)
        own_postgres.crash()
        own_postgres.start()
        rival = StateStore(url)
        assert rival.acquire()
        daemon.send_signal(signal.SIGCONT)
        _, err = daemon.communicate(timeout=90)
    finally:
        if daemon.poll() is None:
            daemon.kill()
            daemon.communicate()
        if rival is not None:
            rival.close()
    assert daemon.returncode == 1
    assert "another replica holds the lock" in err.splitlines()[-1]
    assert "Traceback" not in err
