"""A real PostgreSQL server for the tests that need one (Debian's package, when installed).

Started once per session in a temporary directory on a free loopback port, as
`nobody` when the tests run as root (PostgreSQL refuses root); a failover test
starts one of its own to crash and restart. Without the binaries the tests that
need it are skipped with the reason.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest


def _binaries() -> tuple[str, str] | None:
    """initdb and pg_ctl, from PATH or Debian's versioned folders."""
    candidates = [(shutil.which("initdb"), shutil.which("pg_ctl"))]
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        candidates.append((f"{folder}/initdb", f"{folder}/pg_ctl"))
    for initdb, pg_ctl in candidates:
        if initdb and pg_ctl and os.access(initdb, os.X_OK) and os.access(pg_ctl, os.X_OK):
            return initdb, pg_ctl
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PostgresServer:
    """One PostgreSQL cluster of the tests' own, which a test may crash and start again
    (`crash` is an immediate shutdown: sessions cut, locks gone, as in a restart)."""

    def __init__(self) -> None:
        found = _binaries()
        if found is None:
            pytest.skip(
                "PostgreSQL tests skipped: no initdb/pg_ctl found (apt-get install postgresql)"
            )
        initdb, self.pg_ctl = found
        self.home = Path(tempfile.mkdtemp(prefix="zendesk-sla-pg-"))
        self.as_user: list[str] = []
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            shutil.chown(self.home, "nobody")
            self.as_user = ["runuser", "-u", "nobody", "--"]
        self.data, self.port = self.home / "data", _free_port()
        command = [initdb, "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync"]
        init = subprocess.run(
            [*self.as_user, *command],
            capture_output=True,
            text=True,
            check=False,
        )
        if init.returncode != 0:
            pytest.skip(f"PostgreSQL tests skipped: initdb failed: {init.stderr.strip()[:200]}")
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _ctl(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*self.as_user, self.pg_ctl, "-D", str(self.data), *args],
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.home} -c listen_addresses=127.0.0.1 -c fsync=off"
        started = self._ctl("start", "-w", "-t", "60", "-l", str(self.home / "log"), "-o", options)
        if started.returncode != 0:
            pytest.fail(f"PostgreSQL did not start: {started.stderr.strip()[:300]}")
        import psycopg

        psycopg.connect(self.url, connect_timeout=10).close()

    def crash(self) -> None:
        """Stop at once, as a crash or a failover: no session is closed cleanly."""
        self._ctl("stop", "-w", "-m", "immediate")

    def stop(self) -> None:
        self._ctl("stop", "-w", "-m", "fast")

    def database(self) -> str:
        """A fresh, empty database on this server."""
        import psycopg

        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.url.rsplit("/", 1)[0] + f"/{name}"

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.home, ignore_errors=True)


def _running() -> Iterator[PostgresServer]:
    server = PostgresServer()
    server.start()
    try:
        yield server
    finally:
        server.remove()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    yield from _running()


@pytest.fixture
def own_postgres() -> Iterator[PostgresServer]:
    """A server of the test's own, to crash and restart."""
    yield from _running()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> str:
    """A fresh, empty database on the session's server."""
    return postgres_server.database()
