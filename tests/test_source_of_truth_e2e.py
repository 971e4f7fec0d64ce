"""Zendesk is the source of truth: a worker on a lost or new state posts nothing twice."""

from __future__ import annotations

from zendesk_sla.sandbox.serve import Clock
from zendesk_sla.sandbox.server import SandboxServer

from tests.test_sync_e2e import assert_no_duplicate_notes, run_until_settled
from tests.worker_fixtures import AppFactory, loud_config, new_ticket


def worker_comments(sandbox: SandboxServer) -> list[tuple[int, bool, str]]:
    account = sandbox.sandbox.account
    return [
        (audit.ticket_id, bool(c["public"]), str(c["body"]))
        for audit in account.audits
        if audit.author_id == account.api_user_id
        for c in audit.comments()
    ]


def open_tickets_like(sandbox: SandboxServer, plan: str, count: int) -> list[int]:
    account = sandbox.sandbox.account
    template = next(
        t
        for t in account.tickets.values()
        if f"sla_plan_{plan}" in t.tags
        and "sla_unauthorized_contact" not in t.tags
        and t.via_channel == "email"
    )
    return [new_ticket(account, template).id for _ in range(count)]


def test_a_worker_on_an_empty_state_posts_nothing_zendesk_already_has(
    make_app: AppFactory, sandbox: SandboxServer, clock: Clock
) -> None:
    first = make_app(config=loud_config())
    run_until_settled(first, clock)
    fresh = open_tickets_like(sandbox, "enterprise", 5)  # new tickets: "SLA aplicado" notes
    clock.advance(61)
    run_until_settled(first, clock)
    before = worker_comments(sandbox)
    assert any(public for _, public, _ in before)  # notices were posted
    assert sum("SLA aplicado." in body for tid, _, body in before if tid in fresh) == 5
    assert len(before) > 50
    first.close()

    lost = make_app(state="another-volume.sqlite3", provisioned=False, config=loud_config())
    worker = lost.worker()
    summaries = [worker.run_cycle(), worker.run_sweep()]
    clock.advance(61)
    summaries += [worker.run_cycle(), worker.run_sweep()]
    assert all(s.error is None for s in summaries)
    after = worker_comments(sandbox)
    assert after[len(before) :] == []  # not one comment posted again
    assert_no_duplicate_notes(sandbox)


def test_a_new_state_still_announces_a_severity_change_as_a_change(
    make_app: AppFactory, sandbox: SandboxServer, clock: Clock
) -> None:
    first = make_app()
    first.worker().run_cycle()
    (tid,) = open_tickets_like(sandbox, "enterprise", 1)
    clock.advance(61)
    first.worker().run_cycle()  # "SLA aplicado" with the severity the text gave
    first.close()
    account = sandbox.sandbox.account
    agent = next(u.id for u in account.users.values() if u.role == "agent")
    with account.lock:  # the state is lost; meanwhile an agent sets the severity
        account.update_ticket(tid, {"additional_tags": ["sla_sev_trivial"]}, agent)
    clock.advance(61)
    make_app(state="another-volume.sqlite3", provisioned=False).worker().run_cycle()
    bodies = [body for t, _, body in worker_comments(sandbox) if t == tid]
    assert sum("SLA aplicado." in b for b in bodies) == 1
    changes = [b for b in bodies if "[zendesk-sla:sla-change:enterprise:" in b]
    assert len(changes) == 1 and ">enterprise:trivial]" in changes[0]


def test_a_first_run_is_quiet_no_note_that_only_informs_and_none_on_solved_tickets(
    make_app: AppFactory, sandbox: SandboxServer
) -> None:
    make_app().worker().run_cycle()
    account = sandbox.sandbox.account
    comments = [
        (account.tickets[audit.ticket_id], c)
        for audit in account.audits
        if audit.author_id == account.api_user_id
        for c in audit.comments()
    ]
    informative = [
        c["body"][:60]
        for _, c in comments
        if c["body"].startswith(("SLA aplicado.", "Sin SLA:"))  # they only inform
    ]
    assert informative == []
    assert not any(c["public"] for _, c in comments)  # nobody pending since the start yet
    assert all(t.status not in ("solved", "closed") for t, _ in comments)
    assert all(
        "sla_plan_" in "".join(t.tags)
        or "sla_no_support_plan" in t.tags
        or "sla_org_not_set_up" in t.tags
        for t in account.tickets.values()
        if t.status not in {"deleted", "closed"}
    )
