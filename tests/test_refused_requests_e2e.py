"""A whole write request Zendesk refuses (403, 413, 422 on update_many) is retried a bounded
number of times with growing waits, then each ticket it carried is left to an agent; the
worker says it is degraded until Zendesk applies a job again."""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from pathlib import Path

import pytest
import requests
from zendesk_sla.cli import main
from zendesk_sla.ops.health import CycleHealth
from zendesk_sla.ops.metrics import Metrics
from zendesk_sla.sandbox.serve import Clock
from zendesk_sla.sandbox.server import SandboxServer
from zendesk_sla.sync.cycles import Worker
from zendesk_sla.sync.summary import Summary

from tests.conftest import CONFIG
from tests.worker_fixtures import AppFactory, new_ticket

MINUTES = 60
HAND_OVER = re.compile(r"\[zendesk-sla:write-refused:\d+\]")
TICKET_PATH = re.compile(r"^/api/v2/tickets/(\d+)(?:\.json)?$")


def refuse(sandbox: SandboxServer, status: int) -> None:
    url = f"{sandbox.url}/sandbox/refuse"
    body = {"method": "PUT", "path": "/api/v2/tickets/update_many", "status": status}
    requests.post(url, json=body, timeout=10).raise_for_status()


def a_day(worker: Worker, clock: Clock) -> Summary:
    """A day of the daemon: a poll every ten minutes, a sweep every hour; the last poll."""
    last = None
    for n in range(1, 24 * 6 + 1):
        clock.advance(10 * MINUTES)
        last = worker.run_cycle()
        if n % 6 == 0:
            worker.run_sweep()
    assert last is not None
    return last


def writes_per_ticket(sandbox: SandboxServer) -> Counter[int]:
    """Every write request that carried each ticket, refused or not."""
    seen: Counter[int] = Counter()
    for method, path, body in list(sandbox.sandbox.journal):
        if method != "PUT":
            continue
        if path.startswith("/api/v2/tickets/update_many"):
            seen.update(t["id"] for t in json.loads(body)["tickets"])
        elif match := TICKET_PATH.match(path):
            seen[int(match.group(1))] += 1
    return seen


@pytest.mark.parametrize("status", [403, 413, 422])
def test_a_bulk_refusal_for_a_day_of_polls_costs_few_requests_and_one_note_per_ticket(
    make_app: AppFactory, sandbox: SandboxServer, clock: Clock, status: int
) -> None:
    account = sandbox.sandbox.account
    refuse(sandbox, status)
    worker = make_app().worker()
    clock.advance(61)
    first = worker.run_cycle()
    assert first.refused_requests > 0 and first.error is None
    assert any("refused a whole write request" in line for line in first.degraded)
    carried = {
        t["id"]
        for method, path, body in sandbox.sandbox.journal
        if path.startswith("/api/v2/tickets/update_many")
        for t in json.loads(body)["tickets"]
    }
    last = first
    for _ in range(24 * 60 // 10):  # a day of polls, every ten minutes
        clock.advance(10 * MINUTES)
        last = worker.run_cycle()
    worker.run_sweep()
    costs = writes_per_ticket(sandbox)
    assert max(costs[t] for t in carried) <= 6
    for ticket_id in carried:
        ticket = account.tickets[ticket_id]
        assert "sla_write_refused" in ticket.tags, ticket_id
        notes = [
            c["body"]
            for a in account.audits_by_ticket[ticket_id]
            for c in a.comments()
            if HAND_OVER.search(c["body"])
        ]
        assert len(notes) == 1, ticket_id
        assert f"HTTP {status}" in notes[0]  # what Zendesk answered, for the agent
    assert last.degraded  # no job applied since: still degraded

    # Zendesk takes jobs again: the next write in bulk clears the degraded state.
    refuse(sandbox, 0)
    template = next(t for t in account.tickets.values() if t.id not in carried)
    new_ticket(account, template)
    clock.advance(61)
    assert worker.run_cycle().degraded == []


def test_a_hand_over_zendesk_also_refuses_waits_the_longest_wait(
    make_app: AppFactory, sandbox: SandboxServer, clock: Clock
) -> None:
    refuse(sandbox, 403)
    worker = make_app().worker()
    clock.advance(61)
    worker.run_cycle()
    carried = sorted(writes_per_ticket(sandbox))
    stuck = carried[0]
    body = {"method": "PUT", "path": f"/api/v2/tickets/{stuck}", "status": 403}
    requests.post(f"{sandbox.url}/sandbox/refuse", json=body, timeout=10).raise_for_status()
    a_day(worker, clock)
    # 3 attempts in bulk, the hand-over, and one more after the longest wait (16 hours)
    assert writes_per_ticket(sandbox)[stuck] == 5
    assert "sla_write_refused" not in sandbox.sandbox.account.tickets[stuck].tags


def test_health_metrics_and_healthz_say_degraded_while_zendesk_refuses_jobs(
    make_app: AppFactory,
    sandbox: SandboxServer,
    clock: Clock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    refuse(sandbox, 403)
    app = make_app()
    clock.advance(61)
    summary = app.worker().run_cycle()
    metrics = Metrics()
    metrics.observe(summary, app.session.meter, app.store)
    assert metrics.registry.get_sample_value("zendesk_sla_degraded") == 1
    refused = {"result": "request_refused"}
    assert metrics.registry.get_sample_value("zendesk_sla_writes_total", refused) == float(
        summary.refused_requests
    )
    health = CycleHealth(metrics, last_success=None)
    health.observed(summary, now=time.time())
    ready, _, body = health.report(time.time(), 900)
    assert ready and body["status"] == "ready, degraded"
    assert "HTTP 403 Forbidden" in body["degraded"][0]
    monkeypatch.setenv("ZENDESK_SLA_STATE", str(tmp_path / "state.sqlite3"))
    assert main(["health", "--config", str(CONFIG)]) == 0  # ready: tickets are still read
    out = capsys.readouterr().out
    assert "healthy, degraded:" in out and "refused a whole write request" in out


def test_a_refused_organizations_update_waits_like_a_refused_ticket_write(
    make_app: AppFactory, sandbox: SandboxServer, clock: Clock
) -> None:
    body = {"method": "PUT", "path": "/api/v2/organizations/update_many", "status": 403}
    requests.post(f"{sandbox.url}/sandbox/refuse", json=body, timeout=10).raise_for_status()
    worker = make_app().worker()
    clock.advance(61)
    first = worker.run_cycle()
    assert any("organizations' update 1 times" in line for line in first.degraded)
    a_day(worker, clock)
    # Tried at 0, +1 h, +5 h, +21 h (waits of 1, 4, 16, 16 hours), not at every poll.
    assert sandbox.sandbox.stats["refused 403"] == 4
    body["status"] = 0
    requests.post(f"{sandbox.url}/sandbox/refuse", json=body, timeout=10).raise_for_status()
    clock.advance(16 * 3600)
    assert worker.run_cycle().degraded == []
    orgs = sandbox.sandbox.account.organizations.values()
    assert any("quota_remaining" in str(o.organization_fields) for o in orgs)
