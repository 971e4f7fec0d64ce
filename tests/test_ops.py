"""Operations: metrics, /healthz, `health`, and the daemon stopping cleanly on SIGTERM."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import urlopen

import pytest
import yaml
from prometheus_client import generate_latest
from zendesk_sla.cli import main
from zendesk_sla.ops.health import healthy
from zendesk_sla.ops.http import OpsServer
from zendesk_sla.ops.metrics import Metrics
from zendesk_sla.sandbox.server import SandboxServer

from tests.conftest import CONFIG, ROOT
from tests.worker_fixtures import AppFactory, cli_env


def get(url: str) -> tuple[int, bytes]:
    with urlopen(url, timeout=5) as reply:
        return reply.status, reply.read()


def test_healthy_needs_a_recent_success() -> None:
    assert healthy(1000.0, 60, 1059.0) is True
    assert healthy(1000.0, 60, 1061.0) is False
    assert healthy(None, 60, 0.0) is False


def test_cycle_metrics_are_exported(make_app: AppFactory) -> None:
    app = make_app()
    summary = app.worker().run_cycle()
    metrics = Metrics()
    metrics.observe(summary, app.session.meter, app.store)
    text = generate_latest(metrics.registry).decode()
    assert f'zendesk_sla_tickets_evaluated_total{{kind="poll"}} {float(summary.evaluated)}' in text
    assert 'zendesk_sla_api_requests_total{endpoint="PUT /api/v2/tickets/update_many"}' in text
    assert "zendesk_sla_cycle_duration_seconds_bucket" in text
    assert 'zendesk_sla_tickets{plan="' in text


def test_ops_server_answers_metrics_and_healthz() -> None:
    from zendesk_sla.ops.health import CycleHealth

    metrics = Metrics()
    health = CycleHealth(metrics, last_success=None)
    server = OpsServer(metrics=metrics, health=health, max_age=60, host="127.0.0.1", port=0).start()
    try:
        base = f"http://127.0.0.1:{server.port}"
        with pytest.raises(HTTPError) as err:
            urlopen(f"{base}/healthz", timeout=5)
        err.value.close()
        assert err.value.code == 503
        assert get(f"{base}/healthz/live")[0] == 200  # alive, only not ready
        health.last_success = time.time()
        assert get(f"{base}/healthz")[0] == 200
        assert b"zendesk_sla_cycle_errors" in get(f"{base}/metrics")[1]
    finally:
        server.stop()


def test_health_command_follows_the_last_successful_cycle(
    make_app: AppFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("ZENDESK_SLA_STATE", str(tmp_path / "state.sqlite3"))
    assert main(["health", "--config", str(CONFIG)]) == 1
    make_app().worker().run_cycle()
    assert main(["health", "--config", str(CONFIG)]) == 0
    assert "healthy" in capsys.readouterr().out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_daemon_serves_health_and_stops_cleanly_on_sigterm(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    policy = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    policy["sync"].update(
        initial_lookback_days=0,
        job_poll_interval_seconds=0.05,
        poll_interval_seconds=5,
        incremental_exports_per_minute=0,
    )
    config = tmp_path / "policy.yaml"
    config.write_text(yaml.safe_dump(policy, allow_unicode=True), encoding="utf-8")
    port = _free_port()
    env = cli_env(sandbox, ZENDESK_SLA_STATE=str(tmp_path / "state.sqlite3"))
    setup = [sys.executable, "-m", "zendesk_sla.cli", "setup", "--config", str(config)]
    subprocess.run(setup, cwd=ROOT, env=env, check=True, capture_output=True, timeout=60)
    daemon = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "zendesk_sla.cli",
            "daemon",
            "--config",
            str(config),
            "--metrics-port",
            str(port),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline:
            try:
                status = get(f"http://127.0.0.1:{port}/healthz")[0]
                break
            except HTTPError as exc:
                exc.close()
                time.sleep(0.3)
            except OSError:
                time.sleep(0.3)
        assert status == 200
        base = f"http://127.0.0.1:{port}/report"
        groups: list[object] = []
        while not groups and time.monotonic() < deadline:  # ready: a page recorded, maybe
            code, body = get(f"{base}?format=json&by=organization")  # not yet decided
            assert code == 200
            groups = json.loads(body)["groups"]
            time.sleep(0.2)
        assert groups
        code, body = get(base)
        assert code == 200 and b"Response by organization" in body
        with pytest.raises(HTTPError) as refused:
            get(f"{base}?by=team")
        assert refused.value.code == 400
        refused.value.close()
        daemon.send_signal(signal.SIGTERM)
        _, err = daemon.communicate(timeout=60)
    finally:
        if daemon.poll() is None:
            daemon.kill()
    assert daemon.returncode == 0
    assert '"event": "daemon_stopped"' in err
    assert "Traceback" not in err


def test_a_crash_loop_is_unhealthy_even_when_every_sweep_succeeds() -> None:
    from zendesk_sla.ops.health import CycleHealth, healthy
    from zendesk_sla.ops.metrics import Metrics
    from zendesk_sla.sync.summary import Summary

    metrics = Metrics()
    health = CycleHealth(metrics, last_success=None)
    for minute in range(30):
        health.crashed("poll")  # every poll dies
        health.observed(Summary("sweep"), now=minute * 60.0)  # while every sweep succeeds
    assert not healthy(health.last_success, 900, now=1800.0)
    errors = metrics.registry.get_sample_value("zendesk_sla_cycle_errors_total", {"kind": "poll"})
    assert errors == 30
    health.observed(Summary("poll", error="HTTP 500"), now=1800.0)
    assert not healthy(health.last_success, 900, now=1800.0)
    health.observed(Summary("poll"), now=1860.0)
    assert healthy(health.last_success, 900, now=1860.0)


def test_healthz_answers_503_while_polls_fail_and_sweeps_succeed() -> None:
    import time
    import urllib.error
    import urllib.request

    from zendesk_sla.ops.health import CycleHealth
    from zendesk_sla.ops.http import OpsServer
    from zendesk_sla.ops.metrics import Metrics
    from zendesk_sla.sync.summary import Summary

    metrics = Metrics()
    health = CycleHealth(metrics, last_success=None)
    server = OpsServer(metrics=metrics, health=health, max_age=900, host="127.0.0.1", port=0)
    server.start()
    try:
        url = f"http://127.0.0.1:{server.port}/healthz"
        health.crashed("poll")
        health.observed(Summary("sweep"), now=time.time())
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(url, timeout=5)
        assert err.value.code == 503
        err.value.close()
        health.observed(Summary("poll"), now=time.time())
        with urllib.request.urlopen(url, timeout=5) as reply:
            assert reply.status == 200
        metrics_url = f"http://127.0.0.1:{server.port}/metrics"
        with urllib.request.urlopen(metrics_url, timeout=5) as reply:
            body = reply.read()
        assert b'zendesk_sla_cycle_errors_total{kind="poll"} 1.0' in body
    finally:
        server.stop()


def test_a_first_sync_that_progresses_is_ready_and_a_zendesk_outage_is_not_a_restart() -> None:
    from zendesk_sla.ops.health import CycleHealth
    from zendesk_sla.ops.metrics import Metrics
    from zendesk_sla.sync.summary import Summary

    now = 10_000.0
    progress = {"at": now - 30}  # a page recorded 30 s ago; no cycle finished yet
    health = CycleHealth(Metrics(), last_success=None, progress=lambda: progress["at"])
    ready, _, report = health.report(now, 900)
    assert ready and report["last_successful_poll_seconds_ago"] is None
    assert report["last_progress_seconds_ago"] == 30
    progress["at"] = now - 2000  # stuck: no page for half an hour
    health.observed(Summary("poll", error="HTTP 503 from Zendesk"), now)
    ready, _, report = health.report(now, 900)
    assert not ready
    assert report["last_error"] == {"seconds_ago": 0.0, "error": "HTTP 503 from Zendesk"}
    assert report["live"]  # liveness stays up: restarting the pod fixes no Zendesk outage


def test_an_unusable_severity_model_shows_in_the_metrics() -> None:
    from zendesk_sla.model.attach import ModelStatus

    metrics = Metrics()
    unusable = "zendesk_sla_severity_model_unusable 1.0"
    metrics.model(ModelStatus(Path("m.json.gz"), None, "m.json.gz: not a severity model"))
    assert unusable in generate_latest(metrics.registry).decode()
    metrics.model(ModelStatus(Path("m.json.gz"), "abc"))  # retrained, read again
    assert "zendesk_sla_severity_model_unusable 0.0" in generate_latest(metrics.registry).decode()
    metrics.model(None)  # the contract names no model: the rules alone, by choice
    assert "zendesk_sla_severity_model_unusable 0.0" in generate_latest(metrics.registry).decode()


def test_probes_may_send_head_and_scrapers_a_query_string() -> None:
    import urllib.request

    from zendesk_sla.ops.health import CycleHealth

    metrics = Metrics()
    health = CycleHealth(metrics, last_success=time.time())
    server = OpsServer(metrics=metrics, health=health, max_age=60, host="127.0.0.1", port=0).start()
    try:
        base = f"http://127.0.0.1:{server.port}"
        head = urllib.request.Request(f"{base}/healthz", method="HEAD")
        with urllib.request.urlopen(head, timeout=5) as reply:
            assert reply.status == 200 and reply.read() == b""
        assert get(f"{base}/metrics?x=1")[0] == 200
        assert get(f"{base}/healthz/live?probe=k8s")[0] == 200
    finally:
        server.stop()


def test_liveness_fails_only_when_no_cycle_can_run_for_longer_than_the_limit() -> None:
    from zendesk_sla.ops.health import CycleHealth
    from zendesk_sla.sync.summary import Summary

    health = CycleHealth(Metrics(), last_success=None, live_limit=900, started=0.0)
    assert health.live(now=900)
    health.crashed("poll", "OperationalError: the connection is closed")  # state away
    assert not health.live(now=901)  # restart me: no cycle ran to its end for 15 minutes
    health.observed(Summary("poll", error="HTTP 503 from Zendesk"), now=1000)
    assert health.live(now=1900)  # a Zendesk outage: the cycle ran, a restart fixes nothing
    assert not health.live(now=1901)
    health.running = lambda: False  # the scheduler died
    assert not health.live(now=1000)


def test_a_standby_is_live_and_says_standby() -> None:
    from zendesk_sla.ops.health import CycleHealth

    metrics = Metrics()
    health = CycleHealth(metrics, last_success=None, live_limit=900, started=0.0)
    health.waiting(True)
    ready, live, body = health.report(now=10**6, max_age=900)
    assert ready and live and body["status"] == "standby"
    assert metrics.registry.get_sample_value("zendesk_sla_active") == 0
    health.waiting(False, now=10**6)  # the lock is taken: liveness counts from now
    ready, live, body = health.report(now=10**6 + 60, max_age=900)
    assert live and not ready and body["status"] == "not ready"
    assert metrics.registry.get_sample_value("zendesk_sla_active") == 1


def test_liveness_probe_answers_503_when_cycles_cannot_run() -> None:
    from zendesk_sla.ops.health import CycleHealth

    health = CycleHealth(Metrics(), last_success=None, live_limit=60, started=time.time() - 120)
    server = OpsServer(
        metrics=health.metrics, health=health, max_age=60, host="127.0.0.1", port=0
    ).start()
    try:
        with pytest.raises(HTTPError) as err:
            urlopen(f"http://127.0.0.1:{server.port}/healthz/live", timeout=5)
        err.value.close()
        assert err.value.code == 503
    finally:
        server.stop()
