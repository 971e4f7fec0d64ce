"""Bad input is one clear line and a documented exit code, never a traceback."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from zendesk_sla.cli import main
from zendesk_sla.sandbox.generator import API_EMAIL
from zendesk_sla.sandbox.serve import TOKEN
from zendesk_sla.sandbox.server import SandboxServer

from tests.conftest import CONFIG, ROOT, unpaced_yaml
from tests.worker_fixtures import cli_env, point_cli_at

CLI = [sys.executable, "-m", "zendesk_sla.cli"]


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def run(capsys: pytest.CaptureFixture[str], *args: str, code: int) -> str:
    assert main(list(args)) == code
    return one_line(capsys.readouterr().err)


def test_an_impossible_date_in_the_yaml(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "p.yaml"
    bad.write_text(
        CONFIG.read_text(encoding="utf-8").replace("  extra: []", "  extra: [2026-13-45]")
    )
    assert "holidays.extra.0" in run(capsys, "check-config", str(bad), code=1)


def test_output_into_a_missing_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    state = tmp_path / "state.sqlite3"
    from zendesk_sla.store import StateStore

    StateStore(state).close()
    monkeypatch.setenv("ZENDESK_SLA_STATE", str(state))
    line = run(capsys, "report", "quota", "--output", str(tmp_path / "no" / "r.csv"), code=2)
    assert "--output: cannot write" in line and "No such file or directory" in line
    line = run(capsys, "sandbox", "generate", "--out", str(tmp_path / "no" / "s.jsonl"), code=2)
    assert "--out: cannot write" in line


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("ZENDESK_TIMEOUT_SECONDS", "abc", "ZENDESK_TIMEOUT_SECONDS:"),
        ("ZENDESK_SLA_LOG_FORMAT", "xml", "ZENDESK_SLA_LOG_FORMAT:"),
        ("ZENDESK_SLA_LOG_LEVEL", "LOUD", "'LOUD' is not a log level"),
        # Settings validated in shape (issue 26, 8): each names its variable, none passes.
        ("ZENDESK_URL", "not a url", "ZENDESK_URL: 'not a url' is not an http(s) address"),
        ("ZENDESK_URL", "https://a b.zendesk.com", "ZENDESK_URL:"),
        ("ZENDESK_SUBDOMAIN", "my company", "ZENDESK_SUBDOMAIN: 'my company' is not a subdomain"),
        ("ZENDESK_SLA_DATABASE_URL", "mysql://u:secret@host/x", "mysql://... is not supported"),
        ("ZENDESK_SLA_DATABASE_URL", "postgresql://u:p@[bad/x", "not a PostgreSQL URL"),
        ("ZENDESK_SLA_STATE", "relative/state.sqlite3", "is relative: give an absolute path"),
    ],
)
def test_a_bad_environment_value_names_the_variable(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    name: str,
    value: str,
    expected: str,
) -> None:
    monkeypatch.setenv(name, value)
    line = run(capsys, "run", "--once", code=1)
    assert line.startswith("settings error: ") and expected in line
    assert "secret" not in line  # a database password is never printed


def test_an_env_file_that_is_not_utf8_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ".env").write_bytes(b"ZENDESK_EMAIL=\xff\xfe\n")
    monkeypatch.chdir(tmp_path)
    line = run(capsys, "run", "--once", code=1)
    assert line.startswith("settings error: .env in ") and "not UTF-8" in line


@pytest.mark.parametrize("value", ["99999", "0", "http"])
def test_a_metrics_port_that_is_no_port_is_one_line(
    value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["daemon", "--metrics-port", value])
    assert stop.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("zendesk-sla daemon: error: argument --metrics-port")


def test_an_unwritable_state_path(
    sandbox: SandboxServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    point_cli_at(monkeypatch, sandbox, blocker / "state.sqlite3")
    line = run(capsys, "run", "--once", "--config", str(unpaced_yaml(tmp_path)), code=1)
    assert line.startswith(f"state error: cannot open the state at {blocker / 'state.sqlite3'}")


def test_postgres_unreachable_hides_the_password(
    sandbox: SandboxServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    pytest.importorskip("psycopg")
    monkeypatch.setenv("ZENDESK_URL", sandbox.url)
    monkeypatch.setenv("ZENDESK_EMAIL", API_EMAIL)
    monkeypatch.setenv("ZENDESK_API_TOKEN", TOKEN)
    monkeypatch.setenv("ZENDESK_SLA_DATABASE_URL", "postgresql://sla:s3cret@127.0.0.1:1/sla")
    line = run(capsys, "run", "--once", "--config", str(unpaced_yaml(tmp_path)), code=1)
    assert line.startswith("state error: cannot open the state at postgresql://127.0.0.1:1/sla")
    assert "s3cret" not in line


def test_output_piped_into_head_ends_quietly() -> None:
    proc = subprocess.run(
        " ".join([*CLI, "sandbox", "generate", "--tickets", "3000"]) + " | head -1",
        shell=True,
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.stdout.count("\n") == 1
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr


@contextmanager
def busy_port() -> Iterator[int]:
    """A loopback port another socket listens on."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield taken.getsockname()[1]


def test_a_port_in_use(capsys: pytest.CaptureFixture[str]) -> None:
    with busy_port() as port:
        line = run(capsys, "sandbox", "serve", "--port", str(port), "--tickets", "10", code=2)
    assert line.startswith(f"zendesk-sla sandbox: --port {port}: ")


def test_the_metrics_port_in_use(
    sandbox: SandboxServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    point_cli_at(monkeypatch, sandbox, tmp_path / "state.sqlite3")
    monkeypatch.setenv("ZENDESK_SLA_LOG_FORMAT", "json")
    config = str(unpaced_yaml(tmp_path))
    assert main(["setup", "--config", config]) == 0
    capsys.readouterr()
    with busy_port() as port:
        assert main(["daemon", "--config", config, "--metrics-port", str(port)]) == 2
    err = capsys.readouterr().err
    assert f"zendesk-sla daemon: --metrics-port {port}: " in err
    assert "Traceback" not in err


def test_ctrl_c_twice_stops_the_daemon_at_once(sandbox: SandboxServer, tmp_path: Path) -> None:
    env = cli_env(sandbox, ZENDESK_SLA_STATE=str(tmp_path / "state.sqlite3"))
    config = str(unpaced_yaml(tmp_path, poll_interval_seconds=5))
    subprocess.run([*CLI, "setup", "--config", config], env=env, check=True, capture_output=True)
    daemon = subprocess.Popen(
        [*CLI, "daemon", "--config", config], env=env, stderr=subprocess.PIPE, text=True
    )
    try:
        time.sleep(2.0)
        daemon.send_signal(signal.SIGINT)
        daemon.send_signal(signal.SIGINT)
        started = time.monotonic()
        _, err = daemon.communicate(timeout=20)
        assert time.monotonic() - started < 10
    finally:
        daemon.kill()
        daemon.wait()
    assert daemon.returncode in (0, 130)
    assert "Traceback" not in err and "SchedulerNotRunningError" not in err


def test_a_backfill_beside_the_daemon_is_handed_to_the_daemon(
    sandbox: SandboxServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The weekly timer's backfill no longer fails (exit 4) while the daemon runs: it
    leaves the range in the state for the daemon, which holds the lock."""
    from zendesk_sla.store import StateStore

    state = tmp_path / "state.sqlite3"
    daemon = StateStore(state)
    assert daemon.acquire()  # as the daemon does for its whole life
    point_cli_at(monkeypatch, sandbox, state)
    config = str(unpaced_yaml(tmp_path))
    assert main(["setup", "--config", config]) == 0
    capsys.readouterr()
    try:
        assert main(["backfill", "--since", "2026-03-01", "--config", config]) == 0
        line = one_line(capsys.readouterr().out)
        assert "the backfill from 2026-03-01 is queued" in line
        argv = ["backfill", "--since", "2026-01-01", "--until", "2026-02-01", "--config", config]
        assert main(argv) == 0
        assert "from 2026-01-01 is queued" in capsys.readouterr().out  # widened, no end
        assert daemon.queued_backfill() == (1767225600, None)
    finally:
        daemon.close()
    assert main(["backfill", "--since", "2026-01-01", "--config", config]) == 0  # no daemon


@pytest.mark.parametrize("month", ["2026-13", "2026-00", "2026-1"])
def test_a_month_that_does_not_exist_is_refused(
    month: str, capsys: pytest.CaptureFixture[str]
) -> None:
    line = run(capsys, "report", "compliance", "--month", month, code=2)
    assert f"--month: {month!r} is not a month" in line


def test_a_state_written_by_a_newer_release_is_one_line(
    sandbox: SandboxServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A downgrade: the older release must not read (or migrate) what it does not know."""
    import sqlite3

    from zendesk_sla.store.schema import MIGRATIONS

    state = tmp_path / "state.sqlite3"
    newer = sqlite3.connect(state)
    newer.execute(f"PRAGMA user_version={len(MIGRATIONS) + 1}")
    newer.close()
    point_cli_at(monkeypatch, sandbox, state)
    line = run(capsys, "run", "--once", "--config", str(unpaced_yaml(tmp_path)), code=1)
    assert line.startswith(f"state error: the state at {state} has schema version")
    assert "written by a newer zendesk-sla" in line


@pytest.mark.parametrize(
    ("reserve", "said"),
    [
        (0, "run the same command again to resume"),  # the wait comes inside the cycle
        (50, "stopped (Ctrl-C or SIGTERM) while waiting on Zendesk"),  # at its first request
    ],
)
def test_ctrl_c_inside_a_rate_limit_wait_stops_a_backfill_at_once(
    reserve: int, said: str, sandbox: SandboxServer, tmp_path: Path
) -> None:
    """It acted after the wait (31 s) and said nothing; now the wait is cut short, the
    work done is kept, and the line says how to resume."""
    import threading

    env = cli_env(sandbox, ZENDESK_SLA_STATE=str(tmp_path / "state.sqlite3"))
    config = str(unpaced_yaml(tmp_path, rate_limit_reserve=reserve))
    subprocess.run([*CLI, "setup", "--config", config], env=env, check=True, capture_output=True)
    from zendesk_sla.sandbox.server import RateLimits

    sandbox.sandbox.limits = RateLimits(per_minute=15)  # the next minute's budget is short
    backfill = subprocess.Popen(
        [*CLI, "backfill", "--since", "2026-01-01", "--config", config],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    waiting = threading.Event()

    def read() -> None:
        assert backfill.stderr is not None
        for line in backfill.stderr:
            lines.append(line)
            if '"rate_limited_wait"' in line or '"rate_limit_pacing"' in line:
                waiting.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert waiting.wait(timeout=120), "".join(lines)[-2000:]  # inside a wait of ~60 s
        backfill.send_signal(signal.SIGINT)
        started = time.monotonic()
        backfill.wait(timeout=60)
        took = time.monotonic() - started
    finally:
        if backfill.poll() is None:
            backfill.kill()
            backfill.wait()
        reader.join(timeout=10)
        for pipe in (backfill.stdout, backfill.stderr):
            if pipe is not None:
                pipe.close()
    err = "".join(lines)
    assert backfill.returncode == 130, err[-2000:]
    assert took < 20  # the wait was up to a minute; the figure here is about 1 s
    assert "Traceback" not in err
    last = err.strip().splitlines()[-1]
    assert said in last and "Traceback" not in err


class NotZendesk:
    """A server at ZENDESK_URL that is not the Zendesk API: `answer` gives every GET."""

    def __init__(self, answer: tuple[int, dict[str, str], bytes]) -> None:
        import http.server
        import threading

        status, headers, body = answer

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(status)
                for name, value in {**headers, "Content-Length": str(len(body))}.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args: object) -> None:
                return

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


PAGE = {"Content-Type": "text/html"}


@pytest.mark.parametrize(
    ("scheme", "answer", "said"),
    [
        ("http", (302, {"Location": "https://athento.zendesk.com/"}, b""), "redirected to https"),
        ("http", (404, PAGE, b"<html><h1>Not Found</h1></html>"), "a web page, not Zendesk's API"),
        ("http", (200, PAGE, b"<html>Sign in</html>"), "a web page, not Zendesk's API"),
        ("https", (200, PAGE, b""), "does not speak HTTPS there"),
    ],
    ids=["redirect", "404-page", "login-page", "https-to-http"],
)
def test_an_address_that_is_not_the_zendesk_api_is_named(
    scheme: str,
    answer: tuple[int, dict[str, str], bytes],
    said: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A 302 was reported as a DNS failure, an HTML page as "body is not JSON", a TLS
    mismatch as a bare SSLError: each names ZENDESK_URL now."""
    server = NotZendesk(answer)
    try:
        monkeypatch.setenv("ZENDESK_URL", f"{scheme}://127.0.0.1:{server.port}")
        monkeypatch.setenv("ZENDESK_EMAIL", API_EMAIL)
        monkeypatch.setenv("ZENDESK_API_TOKEN", TOKEN)
        monkeypatch.setenv("ZENDESK_SLA_STATE", str(tmp_path / "state.sqlite3"))
        monkeypatch.setenv("ZENDESK_SLA_LOG_LEVEL", "ERROR")
        line = run(capsys, "setup", "--config", str(unpaced_yaml(tmp_path)), code=3)
    finally:
        server.close()
    assert line.startswith("zendesk error: ") and said in line
    assert "ZENDESK_URL" in line


def test_a_full_disk_during_a_run_is_one_line(sandbox: SandboxServer, tmp_path: Path) -> None:
    """The state's file may not grow (a file-size limit, as a full disk): one line, exit 1,
    no traceback; the next run resumes."""
    import resource

    state = tmp_path / "state.sqlite3"
    env = cli_env(sandbox, ZENDESK_SLA_STATE=str(state))
    config = str(unpaced_yaml(tmp_path))
    subprocess.run([*CLI, "setup", "--config", config], env=env, check=True, capture_output=True)
    room = state.stat().st_size + 50_000

    def full_disk() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write fails instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (room, room))

    ran = subprocess.run(
        [*CLI, "run", "--once", "--config", config],
        env=env,
        capture_output=True,
        text=True,
        preexec_fn=full_disk,
        check=False,
        timeout=120,
    )
    assert ran.returncode == 1, ran.stderr[-2000:]
    line = ran.stderr.strip().splitlines()[-1]
    assert line.startswith("state error: the state could not be written or read: ")
    assert "Traceback" not in ran.stderr
    again = subprocess.run(
        [*CLI, "run", "--once", "--config", config], env=env, capture_output=True, check=False
    )
    assert again.returncode == 0  # room again: the run goes through


def test_a_postgresql_url_without_its_driver_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # `import psycopg` fails, as uninstalled
    monkeypatch.setenv("ZENDESK_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("ZENDESK_EMAIL", API_EMAIL)
    monkeypatch.setenv("ZENDESK_API_TOKEN", TOKEN)
    monkeypatch.setenv("ZENDESK_SLA_DATABASE_URL", "postgresql://sla@127.0.0.1:5432/sla")
    line = run(capsys, "health", code=1)
    assert line == (
        "state error: ZENDESK_SLA_DATABASE_URL names PostgreSQL, but its driver is not "
        "installed: pip install 'zendesk-sla[postgres]'"
    )


def test_reports_read_a_state_they_may_not_write(
    sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A lead's account may read the state, not write it: reports opened it for writing
    and failed. Here the state's folder is mounted read-only (a private mount namespace)."""
    import shutil

    state = tmp_path / "state" / "state.sqlite3"
    point_cli_at(monkeypatch, sandbox, state)
    config = unpaced_yaml(tmp_path)
    assert main(["setup", "--config", str(config)]) == 0
    assert main(["run", "--once", "--config", str(config)]) == 0
    folder = state.parent
    read_only = f"mount --bind {folder} {folder} && mount -o remount,ro,bind {folder} {folder}"
    if (
        shutil.which("unshare") is None
        or subprocess.run(
            ["unshare", "-m", "sh", "-c", f"{read_only} && ! touch {folder}/x"],
            capture_output=True,
            check=False,
        ).returncode
    ):
        pytest.skip("no private mount namespace here (unshare -m needs CAP_SYS_ADMIN)")
    env = {**os.environ, "ZENDESK_SLA_STATE": str(state)}
    for report in ("report quota", "report compliance", "health"):
        command = f"{sys.executable} -m zendesk_sla.cli {report} --config {config}"
        done = subprocess.run(
            ["unshare", "-m", "sh", "-c", f"{read_only} && exec {command}"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, (report, done.stderr[-500:])
        assert done.stdout.strip()


def test_a_backfill_that_finds_nothing_says_why(
    sandbox: SandboxServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`--until` is a last-change date: a range whose tickets all changed later is empty,
    and the backfill said nothing about it."""
    point_cli_at(monkeypatch, sandbox, tmp_path / "state.sqlite3")
    config = str(unpaced_yaml(tmp_path))
    assert main(["setup", "--config", config]) == 0
    capsys.readouterr()
    argv = ["backfill", "--since", "2020-01-01", "--until", "2020-02-01", "--config", config]
    assert main(argv) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("no ticket found whose last change falls between 2020-01-01")
    assert "leave out --until" in err[-1]
