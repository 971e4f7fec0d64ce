"""Quota end to end: a ticket moving between organizations, notes once a year, org fields."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from zendesk_sla.config import OrgOverride
from zendesk_sla.sandbox.records import Organization
from zendesk_sla.sandbox.serve import Clock
from zendesk_sla.sandbox.server import SandboxServer

from tests.worker_fixtures import AppFactory, fast_config

QUOTA_NOTE = re.compile(r"\[zendesk-sla:(quota-(?:80|100):[\d-]+)\]")


def used(app_store: object, org_id: int) -> int:
    rows = app_store.db.execute(  # type: ignore[attr-defined]
        "SELECT count(*) FROM quota WHERE organization_id = ? AND state IN ('counted', 'exceeded')",
        (org_id,),
    ).fetchone()
    return int(rows[0])


def test_a_ticket_moving_between_organizations_moves_its_unit(
    make_app: AppFactory, sandbox: SandboxServer, clock: Clock
) -> None:
    app = make_app()
    worker = app.worker()
    worker.run_cycle()
    account = sandbox.sandbox.account
    counted = next(
        t
        for t in account.tickets.values()
        if "sla_quota_counted" in t.tags and t.status in ("open", "new")
    )
    source = counted.organization_id
    assert source is not None
    target = next(
        o.id
        for o in account.organizations.values()
        if o.id != source and o.organization_fields.get("support_plan") == "enterprise"
    )
    before = (used(app.store, source), used(app.store, target))
    agent = next(u.id for u in account.users.values() if u.role == "agent")
    with account.lock:
        account.update_ticket(counted.id, {"organization_id": target}, agent)
    clock.advance(61)
    worker.run_cycle()
    assert used(app.store, source) == before[0] - 1  # its unit is freed in the old organization
    quota = app.store.db.execute(
        "SELECT organization_id, state FROM quota WHERE ticket_id = ?", (counted.id,)
    ).fetchone()
    assert quota[0] == target
    # In the new organization its requester is not an authorized contact: it uses no quota.
    assert quota[1] == "exempt"
    assert used(app.store, target) == before[1]
    assert "sla_unauthorized_contact" in account.tickets[counted.id].tags


def test_quota_crossings_are_noted_once_per_year_and_shown_on_the_organization(
    make_app: AppFactory, sandbox: SandboxServer, clock: Clock
) -> None:
    config = fast_config()
    small = {"standard": 10, "company": 15, "enterprise": 20}
    plans = {
        name: replace(plan, yearly_tickets=small.get(name, plan.yearly_tickets))
        for name, plan in config.policy.plans.items()
    }
    config.policy = replace(config.policy, plans=plans)  # smaller quotas: some are exceeded
    app = make_app(config=config)
    worker = app.worker()
    for _ in range(3):
        worker.run_cycle()
        worker.run_sweep()
        clock.advance(61)
    account = sandbox.sandbox.account
    keys: Counter[tuple[int | None, str]] = Counter()
    for audit in account.audits:
        for comment in audit.comments():
            for key in QUOTA_NOTE.findall(comment["body"]):
                keys[(account.tickets[audit.ticket_id].organization_id, key)] += 1
    assert keys  # the sample has organizations past 80 %
    assert max(keys.values()) == 1
    exceeded = [t for t in account.tickets.values() if "sla_quota_exceeded" in t.tags]
    assert exceeded
    assert all("sla_quota_counted" in t.tags for t in exceeded)
    shown = [o for o in account.organizations.values() if "quota_used" in o.organization_fields]
    assert shown
    for org in shown:
        fields = org.organization_fields
        if fields["quota_included"] is not None:
            assert fields["quota_remaining"] == max(
                fields["quota_included"] - fields["quota_used"], 0
            )
        # agents see which contract year the counts cover
        assert re.fullmatch(r"del \d\d/\d\d/\d{4} al \d\d/\d\d/\d{4}", fields["quota_year"])


def test_yaml_override_wins_over_the_organization_fields(
    make_app: AppFactory, sandbox: SandboxServer
) -> None:
    account = sandbox.sandbox.account
    org = next(
        o
        for o in account.organizations.values()
        if o.organization_fields.get("support_plan") == "starter"
    )
    config = fast_config()
    override = OrgOverride(external_id=org.external_id, plan="enterprise")
    config.raw.__dict__["organizations"] = [override]
    make_app(config=config).worker().run_cycle()
    tickets = [
        t
        for t in account.tickets.values()
        if t.organization_id == org.id and t.status not in ("closed", "deleted")
    ]
    assert tickets
    for ticket in tickets:
        assert "sla_no_support_plan" not in ticket.tags
        assert "sla_plan_enterprise" in ticket.tags


def test_on_a_first_run_each_crossing_note_lands_on_the_ticket_that_crossed(
    make_app: AppFactory, sandbox: SandboxServer, clock: Clock
) -> None:
    config = fast_config()
    config.raw.sync.__dict__["page_size"] = 50  # many export pages: crossings span pages
    small = {"standard": 10, "company": 15, "enterprise": 20}
    plans = {
        name: replace(plan, yearly_tickets=small.get(name, plan.yearly_tickets))
        for name, plan in config.policy.plans.items()
    }
    config.policy = replace(config.policy, plans=plans)
    account = sandbox.sandbox.account
    # Agents touched the oldest tickets lately: the export brings them last, after the
    # tickets created later, as it does on a real account.
    oldest = sorted(account.tickets.values(), key=lambda t: t.created_at)
    agent = next(u.id for u in account.users.values() if u.role == "agent")
    with account.lock:
        for ticket in oldest[: len(oldest) // 3]:
            if ticket.status not in ("closed", "deleted"):
                account.update_ticket(ticket.id, {"additional_tags": ["revisado"]}, agent)
        for ticket in oldest:  # open again: a note goes only on a ticket still open
            if ticket.status == "solved":
                account.update_ticket(ticket.id, {"status": "open"}, agent)
    clock.advance(61)  # past the export's one-minute horizon
    app = make_app(config=config)
    app.worker().run_cycle()
    positions = {
        tid: (year, pos)
        for tid, year, pos in app.store.db.execute(
            "SELECT ticket_id, year_start, position FROM quota"
        )
    }
    included = {
        (org, year): inc
        for org, year, inc in app.store.db.execute(
            "SELECT organization_id, year_start, included FROM quota_years"
        )
    }
    noted: set[int] = set()
    for audit in account.audits:
        for comment in audit.comments():
            for key in QUOTA_NOTE.findall(comment["body"]):
                percent, year = key.removeprefix("quota-").split(":")
                ticket = account.tickets[audit.ticket_id]
                limit = included[(ticket.organization_id, year)]
                crossing = -(-int(percent) * limit // 100)  # the first position at that share
                assert positions[audit.ticket_id] == (year, crossing), key
                noted.add(audit.ticket_id)
    # Every crossing ticket still open got its note (the others are the quiet past).
    crossed = {
        tid
        for tid, (year, pos) in positions.items()
        for (org, y), inc in included.items()
        if pos is not None
        and inc
        and y == year
        and org == account.tickets[tid].organization_id
        and pos in {-(-80 * inc // 100), inc}
    }
    assert len(crossed) >= 2
    still_open = {t for t in crossed if account.tickets[t].status not in ("solved", "closed")}
    assert still_open and noted == still_open


def test_at_an_anniversary_with_a_bundle_and_no_ticket_yet_the_fields_include_the_bundle(
    make_app: AppFactory, sandbox: SandboxServer, clock: Clock
) -> None:
    account = sandbox.sandbox.account
    today = datetime.fromtimestamp(clock(), UTC).astimezone(ZoneInfo("Europe/Madrid")).date()
    start = today.replace(year=today.year - 1) if (today.month, today.day) != (2, 29) else today
    with account.lock:
        org = account.add_organization(
            Organization(
                account.next_id(),
                "Recién renovada",
                account.now() - 400 * 86400,
                account.now() - 120,
                external_id="ERP-RENEW",
                organization_fields={
                    "support_plan": "enterprise",
                    "contract_start": start.isoformat(),
                    "ticket_bundles": f"{today.year}:30",
                },
            )
        )
    app = make_app()
    worker = app.worker()
    worker.run_cycle()
    worker.run_sweep()
    fields = account.organizations[org.id].organization_fields
    assert (fields["quota_used"], fields["quota_included"], fields["quota_remaining"]) == (
        0,
        230,
        230,
    )


def test_a_ticket_an_agent_opened_for_a_contact_counts_whatever_its_channel(
    make_app: AppFactory, sandbox: SandboxServer, clock: Clock
) -> None:
    """POLICY 7: the channel rule does not apply to a ticket an agent registered on the
    customer's behalf, so it uses quota like any other (POLICY 8), in the quota pass too."""
    account = sandbox.sandbox.account
    contact = next(
        u
        for u in account.users.values()
        if u.role == "end-user"
        and u.user_fields.get("sla_authorized_contact")
        and u.organization_id is not None
        and account.organizations[u.organization_id].organization_fields.get("support_plan")
        == "standard"
    )
    agent = next(u.id for u in account.users.values() if u.role == "agent")
    with account.lock:
        ticket = account.create_ticket(
            {
                "subject": "Llamada: no podemos exportar un informe",
                "comment": {"body": "Nos llaman porque la exportación de informes falla."},
                "requester_id": contact.id,
                "organization_id": contact.organization_id,
            },
            agent,
            via="api",  # a channel outside every plan
        )
    clock.advance(61)  # past the export's one-minute horizon
    app = make_app()
    app.worker().run_cycle()
    assert "sla_channel_not_in_plan" not in account.tickets[ticket.id].tags
    state = app.store.db.execute(
        "SELECT state FROM quota WHERE ticket_id = ?", (ticket.id,)
    ).fetchone()
    assert state is not None
    assert state[0] != "exempt"
