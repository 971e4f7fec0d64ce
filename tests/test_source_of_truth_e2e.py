"""Zendesk is the source of truth: a worker on a lost or new state posts nothing twice."""

from __future__ import annotations

from zendesk_sla.sandbox.serve import Clock
from zendesk_sla.sandbox.server import SandboxServer

from tests.test_sync_e2e import assert_no_duplicate_notes, run_until_settled
from tests.worker_fixtures import AppFactory


def worker_comments(sandbox: SandboxServer) -> list[tuple[int, bool, str]]:
    account = sandbox.sandbox.account
    return [
        (audit.ticket_id, bool(c["public"]), str(c["body"]))
        for audit in account.audits
        if audit.author_id == account.api_user_id
        for c in audit.comments()
    ]


def test_a_worker_on_an_empty_state_posts_nothing_zendesk_already_has(
    make_app: AppFactory, sandbox: SandboxServer, clock: Clock
) -> None:
    first = make_app()
    run_until_settled(first, clock)
    before = worker_comments(sandbox)
    assert any(public for _, public, _ in before)  # notices were posted
    assert len(before) > 100
    first.close()

    lost = make_app(state="another-volume.sqlite3", provisioned=False)  # the state is gone
    worker = lost.worker()
    summaries = [worker.run_cycle(), worker.run_sweep()]
    assert all(s.error is None for s in summaries)
    after = worker_comments(sandbox)
    assert after[len(before) :] == []  # not one comment posted again
    assert_no_duplicate_notes(sandbox)


def test_a_new_state_still_announces_a_severity_change_as_a_change(
    make_app: AppFactory, sandbox: SandboxServer, clock: Clock
) -> None:
    first = make_app()
    run_until_settled(first, clock)
    account = sandbox.sandbox.account
    ticket = next(
        t
        for t in account.tickets.values()
        if "sla_severity_major" in t.tags
        and "sla_plan_enterprise" in t.tags
        and t.status in ("open", "new")
    )
    first.close()
    agent = next(u.id for u in account.users.values() if u.role == "agent")
    with account.lock:
        account.update_ticket(ticket.id, {"additional_tags": ["sla_sev_blocker"]}, agent)
    clock.advance(61)
    lost = make_app(state="another-volume.sqlite3", provisioned=False)
    lost.worker().run_cycle()
    bodies = [
        str(c["body"])
        for a in account.audits_by_ticket[ticket.id]
        if a.author_id == account.api_user_id
        for c in a.comments()
    ]
    assert any("[zendesk-sla:sla-change:enterprise:major>enterprise:blocker]" in b for b in bodies)
    assert sum("SLA aplicado." in b for b in bodies) == 1
