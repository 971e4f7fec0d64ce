"""A real PostgreSQL server for the tests that need one (Debian's package, when installed).

Started once per session in a temporary directory on a free loopback port, as
`nobody` when the tests run as root (PostgreSQL refuses root). Without the
binaries the tests that need it are skipped with the reason.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest


def _binaries() -> tuple[str, str] | None:
    candidates = [(shutil.which("initdb"), shutil.which("postgres"))]
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        candidates.append((f"{folder}/initdb", f"{folder}/postgres"))
    for initdb, postgres in candidates:
        if initdb and postgres and os.access(initdb, os.X_OK) and os.access(postgres, os.X_OK):
            return initdb, postgres
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    found = _binaries()
    if found is None:
        pytest.skip(
            "PostgreSQL tests skipped: no initdb/postgres found (apt-get install postgresql)"
        )
    initdb, postgres = found
    home = Path(tempfile.mkdtemp(prefix="zendesk-sla-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(home, "nobody")
        as_user = ["runuser", "-u", "nobody", "--"]
    data, port = home / "data", _free_port()
    init = subprocess.run(
        [*as_user, initdb, "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync"],
        capture_output=True,
        text=True,
        check=False,
    )
    if init.returncode != 0:
        pytest.skip(f"PostgreSQL tests skipped: initdb failed: {init.stderr.strip()[:200]}")
    server = subprocess.Popen(
        [
            *as_user,
            postgres,
            "-D",
            str(data),
            "-p",
            str(port),
            "-k",
            str(home),
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            "fsync=off",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    import psycopg

    deadline = time.monotonic() + 30
    while True:
        try:
            psycopg.connect(url, connect_timeout=2).close()
            break
        except psycopg.OperationalError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.skip("PostgreSQL tests skipped: the server did not start")
            time.sleep(0.2)
    try:
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server: str) -> str:
    """A fresh, empty database on the session's server."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return postgres_server.rsplit("/", 1)[0] + f"/{name}"
