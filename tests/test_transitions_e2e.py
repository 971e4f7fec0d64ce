"""Exact-time transitions against the sandbox: the worker knows when a ticket turns at risk
and breached, wakes up then, and the tag lands within a minute of the exact moment."""

from __future__ import annotations

from datetime import UTC, datetime

from zendesk_sla.core.clocks import sla_clocks
from zendesk_sla.sandbox.account import Account
from zendesk_sla.sandbox.model import Ticket
from zendesk_sla.sandbox.serve import Clock
from zendesk_sla.sandbox.server import SandboxServer

from tests.test_clocks_reference import policy
from tests.test_sync_e2e import run_until_settled
from tests.worker_fixtures import AppFactory, new_ticket


def _tag_added_at(sandbox: SandboxServer, ticket_id: int, tag: str) -> int:
    for audit in sandbox.sandbox.account.audits_by_ticket[ticket_id]:
        for child in audit.children:
            now, before = child.get("tags") or [], child.get("previous_value") or []
            if child.get("event_type") == "Change" and tag in now and tag not in before:
                return audit.timestamp
    raise AssertionError(f"{tag} never added to #{ticket_id}")


def _enterprise_ticket(account: Account) -> Ticket:
    """A ticket of an authorized contact of an enterprise organization, to open others like."""
    return next(
        t
        for t in account.tickets.values()
        if "sla_plan_enterprise" in t.tags and "sla_unauthorized_contact" not in t.tags
    )


def test_a_blocker_turns_at_risk_then_breached_at_the_exact_moments(
    make_app: AppFactory, sandbox: SandboxServer, clock: Clock
) -> None:
    account = sandbox.sandbox.account
    app = make_app()
    run_until_settled(app, clock)
    template = _enterprise_ticket(account)
    ticket = new_ticket(account, template, priority="urgent", subject="Producción caída")
    clock.advance(61)
    worker = app.worker()
    worker.run_cycle()
    assert "sla_severity_blocker" in account.tickets[ticket.id].tags
    row = app.store.applied_for([ticket.id])[ticket.id]
    assert row.next_at is not None
    # What the clocks say, read independently of the transition arithmetic:
    terms = policy()
    for tag in ("sla_at_risk", "sla_response_breached"):
        moment = app.store.applied_for([ticket.id])[ticket.id].next_at
        assert moment is not None
        clock.advance(moment - clock())
        summary = worker.run_transitions()
        assert summary.error is None and tag in account.tickets[ticket.id].tags, tag
        landed = _tag_added_at(sandbox, ticket.id, tag)
        assert 0 <= landed - moment <= 60, (tag, landed - moment)
        facts_timeline = _timeline(app, ticket.id)
        before = sla_clocks(
            terms, "enterprise", "blocker", facts_timeline, datetime.fromtimestamp(moment - 1, UTC)
        )
        assert before.response.state != ("at_risk" if tag == "sla_at_risk" else "breached")


def _timeline(app: object, ticket_id: int) -> object:
    from zendesk_sla.sync.timelines import timeline

    store = app.store  # type: ignore[attr-defined]
    row = store.tickets([ticket_id])[ticket_id]
    statuses = store.status_changes([ticket_id]).get(ticket_id, [])
    return timeline(row, statuses, store.comments([ticket_id]).get(ticket_id, []))


def test_the_worker_reports_its_earliest_transition(
    make_app: AppFactory, sandbox: SandboxServer, clock: Clock
) -> None:
    app = make_app()
    run_until_settled(app, clock)
    worker = app.worker()
    moment = worker.next_transition()
    assert moment is not None and moment.timestamp() > clock() - 1
    clock.advance(moment.timestamp() - clock())
    done = worker.run_transitions()
    assert done.evaluated >= 1
    after = worker.next_transition()
    assert after is None or after > moment


def test_the_alert_trigger_mails_the_assignee_once_and_the_group_when_unassigned(
    make_app: AppFactory, sandbox: SandboxServer, clock: Clock
) -> None:
    from zendesk_sla.account.views_triggers import provision_rules

    account = sandbox.sandbox.account
    app = make_app()
    provision_rules(app.gateway, app.config, None)
    run_until_settled(app, clock)
    template = _enterprise_ticket(account)
    agent = next(u.id for u in account.users.values() if u.role == "agent")
    mine = new_ticket(account, template, priority="urgent", subject="Producción caída")
    theirs = new_ticket(account, template, priority="urgent", subject="Producción caída")
    with account.lock:
        account.update_ticket(mine.id, {"assignee_id": agent}, agent)
        account.update_ticket(theirs.id, {"group_id": 360000000001}, agent)
    clock.advance(61)
    worker = app.worker()
    worker.run_cycle()
    moment = app.store.applied_for([mine.id])[mine.id].next_at
    assert moment is not None
    clock.advance(moment - clock())
    worker.run_transitions()
    mails = [m for m in sandbox.sandbox.sent if m.ticket_id in (mine.id, theirs.id)]
    at_risk = [m for m in mails if "en riesgo" in m.subject]
    assert {(m.ticket_id, m.to, m.recipient) for m in at_risk} == {
        (mine.id, "user", agent),
        (theirs.id, "group", 360000000001),
    }
    assert "sla_at_risk_avisado" in account.tickets[mine.id].tags
    children = [c for a in account.audits_by_ticket[mine.id] for c in a.children]
    assert all(isinstance(c.get("id"), int) for c in children)  # as Zendesk exports them
    clock.advance(61)
    worker.run_cycle()  # later updates: the alert is not sent again
    with account.lock:
        account.update_ticket(mine.id, {"priority": "high"}, agent)
    again = [m for m in sandbox.sandbox.sent if m.ticket_id == mine.id and "en riesgo" in m.subject]
    assert len(again) == 1


def test_a_due_ticket_zendesk_no_longer_returns_does_not_wake_the_worker_again(
    make_app: AppFactory, sandbox: SandboxServer, clock: Clock
) -> None:
    account = sandbox.sandbox.account
    app = make_app()
    run_until_settled(app, clock)
    worker = app.worker()
    moment = worker.next_transition()
    assert moment is not None
    due = app.store.transitions_due(int(moment.timestamp()))
    with account.lock:  # gone from Zendesk: show_many leaves it out
        for ticket_id in due:
            del account.tickets[ticket_id]
    clock.advance(moment.timestamp() - clock())
    worker.run_transitions()
    after = worker.next_transition()
    assert after is None or after > moment
    assert app.store.transitions_due(int(moment.timestamp())) == []
