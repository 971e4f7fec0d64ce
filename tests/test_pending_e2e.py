"""Pending closure end to end: kill the worker between any two writes; never a close unnoticed."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest
from zendesk_sla.sandbox.serve import Clock
from zendesk_sla.sandbox.server import SandboxServer
from zendesk_sla.zendesk.gateway import Submitted

from tests.worker_fixtures import AppFactory

DAY = 86400
CLOSE_AFTER = 3 * DAY
KEY = re.compile(r"\[zendesk-sla:(pending-(?:notice|close)):(\d+)\]")


class Crash(BaseException):
    """The process dies here: nothing in the worker catches it."""


def pending_comments(sandbox: SandboxServer) -> dict[tuple[int, str], list[tuple[str, int]]]:
    """(ticket, period) -> [(kind, audit time)] of the worker's pending notices and closings."""
    out: dict[tuple[int, str], list[tuple[str, int]]] = defaultdict(list)
    for audit in sandbox.sandbox.account.audits:
        for comment in audit.comments():
            for kind, period in KEY.findall(comment["body"]):
                assert comment["public"] is True
                out[(audit.ticket_id, period)].append((kind, audit.timestamp))
    return out


@pytest.mark.parametrize("crash_at", [1, 2, 3, 4])
@pytest.mark.parametrize("when", ["before", "after"])
def test_killed_between_writes_never_closes_without_notice(
    make_app: AppFactory, sandbox: SandboxServer, clock: Clock, crash_at: int, when: str
) -> None:
    app = make_app()
    worker = app.worker()
    real = worker.gateway.submit
    calls = {"n": 0}

    def submit_then_maybe_die(writes: list) -> Submitted:  # type: ignore[type-arg]
        calls["n"] += 1
        if calls["n"] == crash_at and when == "before":
            raise Crash
        submitted = real(writes)
        if calls["n"] == crash_at:
            worker.gateway.collect(submitted)  # the jobs run; their outcome is never recorded
            raise Crash
        return submitted

    worker.gateway.submit = submit_then_maybe_die  # type: ignore[method-assign]
    crashed = False
    for _ in range(6):
        try:
            worker.run_cycle()
            worker.run_sweep()
        except Crash:
            crashed = True
            break
        clock.advance(DAY)
    app.close()
    assert crashed, "the crash point was never reached"

    restarted = make_app(provisioned=False).worker()
    for _ in range(8):
        restarted.run_cycle()
        restarted.run_sweep()
        clock.advance(DAY + 61)

    comments = pending_comments(sandbox)
    closings = 0
    for (ticket_id, _period), seen in comments.items():
        notices = [t for kind, t in seen if kind == "pending-notice"]
        closes = [t for kind, t in seen if kind == "pending-close"]
        assert len(notices) == 1, f"ticket {ticket_id}: {len(notices)} notices in one period"
        assert len(closes) <= 1, f"ticket {ticket_id} closed twice"
        for closed_at in closes:
            closings += 1
            assert closed_at - notices[0] >= CLOSE_AFTER, f"ticket {ticket_id} closed too early"
            assert sandbox.sandbox.account.tickets[ticket_id].status in ("solved", "closed", "open")
            assert "sla_closed_no_response" in sandbox.sandbox.account.tickets[ticket_id].tags
    assert closings > 0  # the scenario did close tickets
