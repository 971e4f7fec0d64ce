"""Fixtures that wire the real worker (composition root) to the sandbox fixture."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from zendesk_sla.account.fields import provision
from zendesk_sla.app import App
from zendesk_sla.config import Config, load_config
from zendesk_sla.sandbox.account import Account
from zendesk_sla.sandbox.generator import API_EMAIL
from zendesk_sla.sandbox.model import Ticket
from zendesk_sla.sandbox.serve import TOKEN, Clock, sandbox_settings
from zendesk_sla.sandbox.server import SandboxServer

from tests.conftest import CONFIG

MARKER = re.compile(r"\[zendesk-sla:([^\]]+)\]")


def fast_config() -> Config:
    config = load_config(CONFIG)
    sync = config.raw.sync.__dict__
    sync.update(
        initial_lookback_days=0,
        job_poll_interval_seconds=0.01,
        job_poll_timeout_seconds=5,
        note_settle_seconds=0,
        incremental_exports_per_minute=0,  # the test sandbox has no export limit
    )
    return config


def loud_config() -> Config:
    """The fast config where tickets already pending when the worker starts get notices as if
    it had always run (`notify_existing_pending`): for tests about the notices themselves."""
    config = fast_config()
    pending = replace(config.policy.pending, notify_existing_pending=True)
    config.policy = replace(config.policy, pending=pending)
    return config


def new_ticket(account: Account, like: Ticket, *, via: str = "email", **spec: object) -> Ticket:
    """A ticket created now by `like`'s requester, as a customer would open it."""
    body = {
        "subject": "No podemos crear documentos",
        "comment": {"body": "Desde esta mañana no podemos crear documentos."},
        "requester_id": like.requester_id,
        "organization_id": like.organization_id,
        **spec,
    }
    with account.lock:
        return account.create_ticket(body, like.requester_id, via=via)


AppFactory = Callable[..., App]


@pytest.fixture
def make_app(sandbox: SandboxServer, clock: Clock, tmp_path: Path) -> Iterator[AppFactory]:
    apps: list[App] = []
    slept: list[float] = []

    def factory(
        *,
        dry_run: bool = False,
        provisioned: bool = True,
        config: Config | None = None,
        state: str = "state.sqlite3",
    ) -> App:
        settings = sandbox_settings(sandbox.url, zendesk_sla_state=tmp_path / state)
        app = App(
            settings,
            config or fast_config(),
            clock=lambda: datetime.fromtimestamp(clock(), UTC),
            sleep=slept.append,
            dry_run=dry_run,
        )
        if provisioned and not dry_run:
            provision(app.gateway, app.config)
        apps.append(app)
        return app

    yield factory
    for app in apps:
        app.close()


def notes_by_ticket(sandbox: SandboxServer) -> dict[int, list[str]]:
    """Every worker note key posted on each ticket, duplicates included."""
    account = sandbox.sandbox.account
    out: dict[int, list[str]] = {}
    for ticket_id in account.tickets:
        for _, comment in account.audits_by_ticket and [
            (a, c) for a in account.audits_by_ticket.get(ticket_id, []) for c in a.comments()
        ]:
            out.setdefault(ticket_id, []).extend(MARKER.findall(comment["body"]))
    return out


def cli_env(sandbox: SandboxServer, **extra: str) -> dict[str, str]:
    """The environment of a command run as a process against the sandbox (JSON logs)."""
    return {
        **os.environ,
        "ZENDESK_URL": sandbox.url,
        "ZENDESK_EMAIL": API_EMAIL,
        "ZENDESK_API_TOKEN": TOKEN,
        "ZENDESK_SLA_LOG_FORMAT": "json",
        **extra,
    }


def spawn(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    """`zendesk-sla ARGS` as a process of its own (a daemon), its output piped as text."""
    return subprocess.Popen(
        [sys.executable, "-m", "zendesk_sla.cli", *args],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def point_cli_at(
    monkeypatch: pytest.MonkeyPatch, sandbox: SandboxServer, state: Path, **extra: str
) -> None:
    """The environment a command run against the sandbox reads."""
    monkeypatch.setenv("ZENDESK_URL", sandbox.url)
    monkeypatch.setenv("ZENDESK_EMAIL", API_EMAIL)
    monkeypatch.setenv("ZENDESK_API_TOKEN", TOKEN)
    monkeypatch.setenv("ZENDESK_SLA_STATE", str(state))
    for name, value in extra.items():
        monkeypatch.setenv(name, value)
