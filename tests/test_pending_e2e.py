"""Pending closure end to end: kill the worker between any two writes; never a close unnoticed."""

from __future__ import annotations

from collections import defaultdict

import pytest
from zendesk_sla.sandbox.serve import Clock
from zendesk_sla.sandbox.server import SandboxServer
from zendesk_sla.zendesk.gateway import Outcome, Submitted, Write

from tests.worker_fixtures import AppFactory, loud_config

DAY = 86400
CLOSE_AFTER = 3 * DAY


class Crash(BaseException):
    """The process dies here: nothing in the worker catches it."""


def pending_comments(sandbox: SandboxServer) -> dict[tuple[int, int], list[tuple[str, int]]]:
    """(ticket, pending period start) -> [(kind, audit time)] of the worker's public comments.

    Customers read no key in them: a notice is the worker's public comment in an update
    that added `sla_pending_notice`; a closing, one that added `sla_closed_no_response`.
    A period starts when the ticket goes to pending, and again at each customer reply.
    """
    account = sandbox.sandbox.account
    out: dict[tuple[int, int], list[tuple[str, int]]] = defaultdict(list)
    customers = {u.id for u in account.users.values() if u.role == "end-user"}
    for ticket_id, audits in account.audits_by_ticket.items():
        period = 0
        for audit in sorted(audits, key=lambda a: (a.timestamp, a.id)):
            added: set[str] = set()
            for child in audit.children:
                if child.get("status") == "pending":
                    period = audit.timestamp
                if isinstance(child.get("tags"), list):
                    added |= set(child["tags"]) - set(child.get("previous_value") or [])
            for comment in audit.comments():
                if comment["author_id"] in customers and comment["public"]:
                    period = audit.timestamp
                if comment["author_id"] != account.api_user_id or not comment["public"]:
                    continue
                assert "zendesk-sla" not in comment["body"], "machine text in a public comment"
                if "sla_closed_no_response" in added:
                    out[(ticket_id, period)].append(("pending-close", audit.timestamp))
                elif "sla_pending_notice" in added:
                    out[(ticket_id, period)].append(("pending-notice", audit.timestamp))
    return out


@pytest.mark.parametrize("crash_at", [1, 2, 3, 4])
@pytest.mark.parametrize("when", ["before", "after"])
def test_killed_between_writes_never_closes_without_notice(
    make_app: AppFactory, sandbox: SandboxServer, clock: Clock, crash_at: int, when: str
) -> None:
    app = make_app(config=loud_config())
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

    restarted = make_app(provisioned=False, config=loud_config()).worker()
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


def test_a_customer_reply_between_read_and_close_stops_the_close(
    make_app: AppFactory, sandbox: SandboxServer, clock: Clock
) -> None:
    account = sandbox.sandbox.account
    worker = make_app(config=loud_config()).worker()
    worker.run_cycle()  # notices go out for tickets pending more than a week
    clock.advance(CLOSE_AFTER + 61)
    real = worker.gateway.update_ticket
    replied: list[int] = []

    def customer_replies_first(write: Write) -> Outcome:
        if write.status == "solved" and not replied:
            ticket = account.tickets[write.ticket_id]
            with account.lock:  # the customer answers just before the close is sent
                account.update_ticket(
                    ticket.id,
                    {"comment": {"body": "Sigue fallando", "public": True}, "status": "open"},
                    ticket.requester_id,
                )
            replied.append(ticket.id)
        return real(write)

    worker.gateway.update_ticket = customer_replies_first  # type: ignore[method-assign]
    summary = worker.run_cycle()
    assert replied, "a close was due"
    ticket = account.tickets[replied[0]]
    assert summary.conflicts >= 1
    assert ticket.status == "open"  # re-read and re-decided: no close after the reply
    closings = [
        c
        for a in account.audits_by_ticket[ticket.id]
        for c in a.comments()
        if c["public"] and a.author_id == account.api_user_id and "damos este ticket" in c["body"]
    ]
    assert closings == []


def test_each_requester_reads_the_notice_in_their_zendesk_language(
    make_app: AppFactory, sandbox: SandboxServer
) -> None:
    """The sample's requesters speak Spanish, English (en-US, en-GB) or Portuguese (pt-BR),
    as Zendesk's `locale` says; notices were Spanish for all."""
    account = sandbox.sandbox.account
    make_app(config=loud_config()).worker().run_cycle()  # notices for week-old pending tickets
    greetings = {"es": "Hola ", "en": "Hello ", "pt": "Olá "}
    seen: dict[str, int] = defaultdict(int)
    for (ticket_id, _period), comments in pending_comments(sandbox).items():
        if not any(kind == "pending-notice" for kind, _ in comments):
            continue
        language = account.users[account.tickets[ticket_id].requester_id].language()[:2]
        bodies = [
            c["body"]
            for a in account.audits_by_ticket[ticket_id]
            if a.author_id == account.api_user_id
            for c in a.comments()
            if c["public"]
        ]
        assert bodies and all(b.startswith(greetings[language]) for b in bodies), ticket_id
        seen[language] += 1
    assert seen["es"] and (seen["en"] or seen["pt"])  # more than one language was written
