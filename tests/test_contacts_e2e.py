"""Contacts and channels against the sandbox: memberships in several organizations, tickets
an agent opened on the customer's behalf (POLICY 7)."""

from __future__ import annotations

from zendesk_sla.sandbox.serve import Clock
from zendesk_sla.sandbox.server import SandboxServer

from tests.worker_fixtures import AppFactory, new_ticket


def test_a_contact_is_authorized_in_every_organization_it_is_a_member_of(
    make_app: AppFactory, sandbox: SandboxServer, clock: Clock
) -> None:
    account = sandbox.sandbox.account
    orgs = {o.organization_fields.get("support_plan"): o for o in account.organizations.values()}
    home, other = orgs["company"], orgs["enterprise"]
    contact = next(
        u
        for u in account.users.values()
        if u.organization_id == home.id and u.user_fields.get("sla_authorized_contact")
    )
    stranger = next(
        u
        for u in account.users.values()
        if u.organization_id == home.id
        and not u.user_fields.get("sla_authorized_contact")
        and u.role == "end-user"
    )
    with account.lock:
        account.memberships[contact.id] = {other.id}
        account.memberships[stranger.id] = {other.id}
        contact.updated_at = stranger.updated_at = account.now()
    template = next(t for t in account.tickets.values() if t.organization_id == other.id)
    member = new_ticket(account, template, requester_id=contact.id, organization_id=other.id)
    outsider = new_ticket(account, template, requester_id=stranger.id, organization_id=other.id)
    clock.advance(61)
    make_app().worker().run_cycle()
    assert "sla_unauthorized_contact" not in account.tickets[member.id].tags
    assert "sla_plan_enterprise" in account.tickets[member.id].tags
    assert "sla_unauthorized_contact" in account.tickets[outsider.id].tags


def test_a_ticket_an_agent_opened_for_the_customer_is_not_flagged_for_its_channel(
    make_app: AppFactory, sandbox: SandboxServer, clock: Clock
) -> None:
    account = sandbox.sandbox.account
    template = next(
        t
        for t in account.tickets.values()
        if "sla_unauthorized_contact" not in t.tags
        and t.organization_id is not None
        and account.organizations[t.organization_id].organization_fields.get("support_plan")
        == "standard"
    )
    agent = next(u.id for u in account.users.values() if u.role == "agent")
    by_agent = new_ticket(account, template, via="voice", submitter_id=agent)
    by_phone = new_ticket(account, template, via="voice")
    by_chat = new_ticket(account, template, via="chat")
    clock.advance(61)
    make_app().worker().run_cycle()
    assert "sla_channel_not_in_plan" not in account.tickets[by_agent.id].tags
    assert "sla_channel_not_in_plan" in account.tickets[by_phone.id].tags  # standard: no phone
    assert "sla_channel_not_in_plan" in account.tickets[by_chat.id].tags  # chat: no plan has it


def test_a_child_event_without_an_id_costs_only_itself(
    make_app: AppFactory, sandbox: SandboxServer
) -> None:
    account = sandbox.sandbox.account
    audit = next(
        a
        for a in account.audits
        if any(c.get("event_type") == "Comment" for c in a.children) and len(a.children) > 1
    )
    with account.lock:  # a malformed sibling, as real exports sometimes carry
        audit.children.append({"event_type": "Change", "priority": "high", "previous_value": None})
        audit.cache.clear()
    app = make_app()
    app.worker().run_cycle()
    comments = [
        c
        for c in app.store.comments([audit.ticket_id]).get(audit.ticket_id, [])
        if c.at == audit.timestamp
    ]
    assert comments  # the audit's comment was kept


def test_a_contact_tagged_for_one_organization_is_a_contact_of_that_one_only(
    make_app: AppFactory, sandbox: SandboxServer, clock: Clock
) -> None:
    """A member of two organizations counted against both caps; a user tag
    `sla_contact_<organization id>` now says which organizations a contact speaks for."""
    from zendesk_sla.reports.leads import contacts_report

    account = sandbox.sandbox.account
    orgs = {o.organization_fields.get("support_plan"): o for o in account.organizations.values()}
    home, other = orgs["company"], orgs["enterprise"]
    contact = next(
        u
        for u in account.users.values()
        if u.organization_id == home.id and u.user_fields.get("sla_authorized_contact")
    )
    app = make_app()
    app.worker().run_cycle()
    with account.lock:  # a member of both, authorized for the second one only
        account.memberships[contact.id] = {other.id}
        contact.tags = [f"sla_contact_{other.id}"]
        contact.updated_at = account.now()
    template = next(t for t in account.tickets.values() if t.organization_id == other.id)
    there = new_ticket(account, template, requester_id=contact.id, organization_id=other.id)
    home_template = next(t for t in account.tickets.values() if t.organization_id == home.id)
    here = new_ticket(account, home_template, requester_id=contact.id, organization_id=home.id)
    clock.advance(61)
    worker = app.worker()
    worker.run_cycle()
    assert "sla_unauthorized_contact" not in account.tickets[there.id].tags
    assert "sla_unauthorized_contact" in account.tickets[here.id].tags  # not tagged for home
    counts = {row["org_id"]: row for row in contacts_report(app.store, app.config, None)}
    assert contact.id in app.store.authorized([other.id])[other.id]
    assert contact.id not in app.store.authorized([home.id]).get(home.id, set())
    assert counts[other.id]["authorized"] == len(app.store.authorized([other.id])[other.id])
