"""Status changes read in the audit shape give the worker the same clocks, tags and due
dates as in the export's documented shape: two sandboxes with the same account, one per
shape, and the same worker on each."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from zendesk_sla.account.fields import provision
from zendesk_sla.app import App
from zendesk_sla.sandbox.serve import build_sandbox, sandbox_settings
from zendesk_sla.sandbox.server import SandboxServer

from tests.sandbox_fixtures import UNLIMITED
from tests.worker_fixtures import fast_config

START = float(int(time.time()))


class FrozenClock:
    """The same instant for both accounts, moved by hand."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def run(shape: str, state: Path) -> list[tuple[int, dict[int, tuple[Any, ...]]]]:
    """The worker on an account whose export gives field changes in `shape`: after each
    step (a poll and a sweep, twelve hours apart), the events read and every ticket."""
    clock = FrozenClock()
    server = build_sandbox(tickets=300, seed=23, limits=UNLIMITED, clock=clock, event_shape=shape)
    steps = []
    with server:
        # One worker at a time: zenpy takes the sandbox's address from the environment.
        settings = sandbox_settings(server.url, zendesk_sla_state=state)
        app = App(settings, fast_config(), clock=lambda: datetime.fromtimestamp(clock(), UTC))
        try:
            provision(app.gateway, app.config)
            worker = app.worker()
            for _ in range(6):  # three days: pauses, breaches, notices, closes
                clock.advance(12 * 3600)
                events = worker.run_cycle().events
                worker.run_sweep()
                steps.append((events, outcome(server)))
            statuses = app.store.db.execute(
                "SELECT count(*) FROM events WHERE kind = 'status'"
            ).fetchone()[0]
            assert statuses > 300  # status changes were read, not silently dropped
        finally:
            app.close()
    return steps


def outcome(server: SandboxServer) -> dict[int, tuple[Any, ...]]:
    account = server.sandbox.account
    return {
        t.id: (t.status, sorted(t.tags), sorted(t.custom_fields.items()))
        for t in account.tickets.values()
    }


def test_the_audit_shape_gives_the_same_tags_and_due_dates(tmp_path: Path) -> None:
    export = run("export", tmp_path / "export.sqlite3")
    audit = run("audit", tmp_path / "audit.sqlite3")
    assert export[0][0] > 0
    for step, (by_export, by_audit) in enumerate(zip(export, audit, strict=True)):
        assert by_export == by_audit, step


def test_the_sandbox_gives_a_status_change_in_each_shape() -> None:
    with build_sandbox(tickets=20, seed=23, limits=UNLIMITED, clock=FrozenClock()) as server:
        audits = list(server.sandbox.account.audits)
    audit = next(
        a for a in audits if any("status" in c and c["event_type"] == "Change" for c in a.children)
    )
    documented = audit.to_event_json(True)["child_events"]
    recorded = audit.to_event_json(True, "audit")["child_events"]
    assert any("status" in c and c.get("event_type") == "Change" for c in documented)
    assert any(c.get("type") == "Change" and c.get("field_name") == "status" for c in recorded)
    assert not any("status" in c for c in recorded)
