"""A write Zendesk refuses is tried a bounded number of times, then handed to an agent."""

from __future__ import annotations

import re

import pytest
from zendesk_sla.core.policy import RefusedRules
from zendesk_sla.sandbox.records import FieldDef
from zendesk_sla.sandbox.serve import Clock
from zendesk_sla.sandbox.server import SandboxServer

from tests.worker_fixtures import AppFactory

HOURS = 3600
REFUSED_NOTE = re.compile(r"\[zendesk-sla:write-refused:\d+\]")


def test_a_refused_solve_is_tried_three_times_in_fourteen_days_then_handed_to_an_agent(
    make_app: AppFactory, sandbox: SandboxServer, clock: Clock
) -> None:
    account = sandbox.sandbox.account
    with account.lock:  # this account requires a closing reason before any solve
        reason = account.add_field(
            FieldDef(account.next_id(), "ticket", "tagger", "Motivo de cierre", None, 0)
        )
        reason.required = True
    app = make_app()
    worker = app.worker()
    for _ in range(14 * 4):  # every six hours for 14 days
        worker.run_cycle()
        worker.run_sweep()
        clock.advance(6 * HOURS)
    refused = dict(account.refusals)
    assert refused, "the sample has pending tickets whose close is due"
    assert max(refused.values()) <= 3
    handed = [tid for tid, n in refused.items() if n == 3]
    assert handed
    for tid in handed:
        ticket = account.tickets[tid]
        assert "sla_write_refused" in ticket.tags
        assert ticket.status == "pending"  # nobody closed it, nothing reopened it
        notes = [
            c["body"]
            for a in account.audits_by_ticket[tid]
            for c in a.comments()
            if REFUSED_NOTE.search(c["body"])
        ]
        assert len(notes) == 1
        assert "Motivo de cierre: is required when solving a ticket" in notes[0]
        assert not any(
            c["public"]
            for a in account.audits_by_ticket[tid]
            for c in a.comments()
            if "damos este ticket" in c["body"]
        )  # no closing comment went out

    # An agent fills the reason: the ticket changed, so the worker tries again and closes it.
    tid = handed[0]
    agent = next(u.id for u in account.users.values() if u.role == "agent")
    with account.lock:
        account.update_ticket(
            tid, {"custom_fields": [{"id": reason.id, "value": "resuelto"}]}, agent
        )
    for _ in range(3):
        clock.advance(61)
        worker.run_cycle()
        worker.run_sweep()
    ticket = account.tickets[tid]
    assert ticket.status == "solved"
    assert "sla_write_refused" not in ticket.tags
    assert "sla_closed_no_response" in ticket.tags
    assert account.refusals[tid] == 3  # no refused attempt after the hand-over


@pytest.mark.parametrize(
    ("attempt", "hours"),
    [(0, 1), (1, 1), (2, 4), (3, 16), (4, 16), (9, 16)],  # past the last: the longest again
)
def test_a_refused_write_waits_four_times_longer_each_time(attempt: int, hours: int) -> None:
    assert RefusedRules(max_attempts=3, retry_after_seconds=HOURS).wait_after(attempt) == (
        hours * HOURS
    )
