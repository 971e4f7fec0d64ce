"""The worker end to end against the running sandbox: idempotence, crashes, storms, conflicts."""

from __future__ import annotations

import pytest
from zendesk_sla.app import App
from zendesk_sla.sandbox.serve import Clock
from zendesk_sla.sandbox.server import Faults, SandboxServer
from zendesk_sla.sync.summary import Summary
from zendesk_sla.zendesk.gateway import Submitted

from tests.worker_fixtures import AppFactory, loud_config, new_ticket, notes_by_ticket


class Crash(BaseException):
    """Stands for the process dying: nothing in the worker catches it."""


def run_until_settled(app: App, clock: Clock, rounds: int = 10) -> list[Summary]:
    summaries = []
    worker = app.worker()
    for _ in range(rounds):
        summaries += [worker.run_cycle(), worker.run_sweep()]
        clock.advance(61)  # the worker's own writes show in the export a minute later
        quiet = all(s.changes == 0 and s.error is None for s in summaries[-2:])
        if quiet and not app.store.dirty_ids():
            break
    return summaries


def sla_tags(sandbox: SandboxServer) -> dict[int, set[str]]:
    return {
        t.id: {tag for tag in t.tags if tag.startswith("sla_plan_") or tag == "sla_no_support_plan"}
        for t in sandbox.sandbox.account.tickets.values()
        if t.status not in ("closed", "deleted")
    }


def assert_no_duplicate_notes(sandbox: SandboxServer) -> None:
    for ticket_id, keys in notes_by_ticket(sandbox).items():
        assert len(keys) == len(set(keys)), f"ticket {ticket_id} has duplicate notes {keys}"


def assert_every_live_ticket_classified(sandbox: SandboxServer) -> None:
    missing = [tid for tid, tags in sla_tags(sandbox).items() if not tags]
    assert missing == []


def test_second_cycle_with_nothing_changed_writes_nothing(
    make_app: AppFactory, sandbox: SandboxServer, clock: Clock
) -> None:
    app = make_app()
    worker = app.worker()
    first = worker.run_cycle()
    assert first.written > 50
    assert first.error is None
    worker.run_sweep()
    clock.advance(61)  # the worker's own writes now show in the export
    puts_before = sum(c for k, c in app.session.meter.requests.items() if k.startswith("PUT"))
    again = [worker.run_cycle(), worker.run_sweep()]
    puts_after = sum(c for k, c in app.session.meter.requests.items() if k.startswith("PUT"))
    assert [s.changes for s in again] == [0, 0]
    assert puts_after == puts_before
    assert_every_live_ticket_classified(sandbox)


def test_agent_tags_and_fields_are_never_removed(
    make_app: AppFactory, sandbox: SandboxServer
) -> None:
    account = sandbox.sandbox.account
    before = {t.id: set(t.tags) for t in account.tickets.values() if t.status != "closed"}
    make_app().worker().run_cycle()
    app_owned = (
        "sla_plan_",
        "sla_severity_",
        "sla_at_risk",
        "sla_response_",
        "sla_resolution_",
        "sla_no_support_plan",
        "sla_unauthorized_contact",
        "sla_channel_not_in_plan",
    )
    for ticket_id, tags in before.items():
        kept = {t for t in tags if not t.startswith(app_owned)}
        assert kept <= set(account.tickets[ticket_id].tags)


def test_worker_notes_explain_the_sla(
    make_app: AppFactory, sandbox: SandboxServer, clock: Clock
) -> None:
    worker = make_app(config=loud_config()).worker()
    worker.run_cycle()
    account = sandbox.sandbox.account
    template = next(t for t in account.tickets.values() if "sla_plan_enterprise" in t.tags)
    new_ticket(account, template)  # a new ticket after the first run gets "SLA aplicado"
    clock.advance(61)
    worker.run_cycle()
    notes = [c for a in account.audits if a.author_id == account.api_user_id for c in a.comments()]
    internal = [c for c in notes if not c["public"]]
    notices = [c for c in notes if c["public"]]
    assert internal
    assert all("[zendesk-sla:" in c["body"] for c in internal)  # agents' notes keep their key
    assert any(c["body"].startswith("SLA aplicado. Plan ") for c in internal)
    assert notices  # the sample has tickets pending for more than a week
    assert all(c["body"].startswith(("Hola ", "Hello ", "Olá ")) for c in notices)  # their language
    assert not any("zendesk-sla" in c["body"] for c in notices)  # no machine text for customers


@pytest.mark.parametrize("point", ["after_intents", "after_write", "before_cursor"])
def test_kill_mid_cycle_then_restart_loses_nothing_and_duplicates_nothing(
    make_app: AppFactory, sandbox: SandboxServer, clock: Clock, point: str
) -> None:
    app = make_app()
    worker = app.worker()
    worker.run_cycle()  # the (quiet) first run; the crash comes in a later poll
    account = sandbox.sandbox.account
    template = next(
        t
        for t in account.tickets.values()
        if "sla_plan_company" in t.tags and "sla_unauthorized_contact" not in t.tags
    )
    fresh = {new_ticket(account, template, via="email").id for _ in range(30)}
    clock.advance(61)
    if point == "after_intents":

        def die_instead(_writes: object) -> object:
            raise Crash

        worker.gateway.submit = die_instead  # type: ignore[method-assign]
    elif point == "after_write":
        real = worker.gateway.collect

        def write_then_die(submitted: Submitted, **kwargs: bool) -> object:
            real(submitted, **kwargs)  # the jobs ran on Zendesk; their results are never recorded
            raise Crash

        worker.gateway.collect = write_then_die  # type: ignore[method-assign]
    else:
        store_put = app.store.put

        def die_on_cursor(key: str, value: str) -> None:
            if key == "cursor:tickets":
                raise Crash
            store_put(key, value)

        app.store.put = die_on_cursor  # type: ignore[method-assign]
    with pytest.raises(Crash):
        worker.run_cycle()
    app.close()

    restarted = make_app(provisioned=False)
    summaries = run_until_settled(restarted, clock)
    assert summaries[-2].error is None
    assert restarted.store.dirty_ids() == []
    assert_no_duplicate_notes(sandbox)
    assert_every_live_ticket_classified(sandbox)
    notes = notes_by_ticket(sandbox)
    noted = {tid for tid, keys in notes.items() if any(k.startswith("sla:") for k in keys)}
    assert fresh <= noted  # every new ticket got its "SLA aplicado" note, once


def test_429_storm_all_updates_land(
    make_app: AppFactory, sandbox: SandboxServer, clock: Clock
) -> None:
    make_app()  # setup, before the storm
    sandbox.sandbox.faults = Faults(throttle_rate=0.5, seed=3)
    app = make_app(provisioned=False)
    summaries = run_until_settled(app, clock)
    assert sandbox.sandbox.stats["429"] > 5
    assert app.session.meter.rate_limit_waits > 5
    assert summaries[-2].error is None
    assert_every_live_ticket_classified(sandbox)
    assert_no_duplicate_notes(sandbox)


def test_5xx_bursts_and_dropped_connections_all_updates_land(
    make_app: AppFactory, sandbox: SandboxServer, clock: Clock
) -> None:
    app = make_app()
    sandbox.sandbox.faults = Faults(error_rate=0.4, drop_rate=0.1, seed=5)
    summaries = run_until_settled(app, clock, rounds=15)
    sandbox.sandbox.faults = Faults()
    summaries += run_until_settled(app, clock)
    assert sandbox.sandbox.stats["500"] + sandbox.sandbox.stats["503"] >= 3
    assert app.session.meter.retries >= 2
    assert app.store.dirty_ids() == []
    assert_every_live_ticket_classified(sandbox)
    assert_no_duplicate_notes(sandbox)


def test_agent_edit_between_read_and_write_is_not_clobbered(
    make_app: AppFactory, sandbox: SandboxServer
) -> None:
    account = sandbox.sandbox.account
    app = make_app()
    worker = app.worker()
    real = worker.gateway.submit
    edited: list[int] = []

    def agent_edits_first(writes: list) -> object:  # type: ignore[type-arg]
        if not edited:
            target = writes[0].ticket_id
            agent = next(u.id for u in account.users.values() if u.role == "agent")
            with account.lock:
                account.update_ticket(
                    target, {"priority": "urgent", "additional_tags": ["escalado"]}, agent
                )
            edited.append(target)
        return real(writes)

    worker.gateway.submit = agent_edits_first  # type: ignore[method-assign]
    worker.run_cycle()
    ticket = account.tickets[edited[0]]
    assert ticket.priority == "urgent"
    assert "escalado" in ticket.tags
    assert sla_tags(sandbox)[ticket.id]  # and the worker's write landed on top of it
    assert app.store.dirty_ids() == []


def test_dry_run_writes_and_records_nothing(make_app: AppFactory, sandbox: SandboxServer) -> None:
    make_app()  # provisions the fields
    account = sandbox.sandbox.account
    audits_before = len(account.audits)
    seen: list[int] = []
    app = make_app(dry_run=True)
    summary = app.worker(on_change=lambda e: seen.append(e.facts.id)).run_cycle()
    assert summary.changes == len(seen) > 0
    assert len(account.audits) == audits_before
    assert not any(k.startswith("PUT") for k in app.session.meter.requests)
    app.close()
    real = make_app(provisioned=False)
    assert real.store.get("cursor:tickets") is None


def test_bad_ticket_payload_is_logged_and_skipped(
    make_app: AppFactory, sandbox: SandboxServer
) -> None:
    app = make_app()
    worker = app.worker()
    real = worker.gateway.ticket_page

    def corrupt(**kwargs: object) -> object:
        page = real(**kwargs)  # type: ignore[arg-type]
        if page.items:
            page.items[0]["created_at"] = "yesterday-ish"
            page.items[1]["id"] = "not-a-number"
        return page

    worker.gateway.ticket_page = corrupt  # type: ignore[method-assign]
    summary = worker.run_cycle()
    assert summary.skipped_bad == 2
    assert summary.error is None
    assert summary.written > 0


def test_sweep_flags_a_breach_with_no_ticket_event(
    make_app: AppFactory, sandbox: SandboxServer, clock: Clock
) -> None:
    account = sandbox.sandbox.account
    template = next(
        t
        for t in account.tickets.values()
        if t.organization_id is not None
        and account.organizations[t.organization_id].organization_fields.get("support_plan")
        == "enterprise"
        and account.users[t.requester_id].user_fields.get("sla_authorized_contact")
    )
    new_ticket(account, template)  # a ticket just in, not answered yet
    clock.advance(61)
    app = make_app()
    worker = app.worker()
    worker.run_cycle()
    worker.run_sweep()
    running = [a for a in app.store.applied_rows() if a.response_state in ("running", "at_risk")]
    clock.advance(30 * 86400)  # a month later, nobody touched these tickets
    summary = worker.run_sweep()
    assert running  # at least the new ticket's response clock runs
    assert summary.written >= 1
    ticket = sandbox.sandbox.account.tickets[running[0].ticket_id]
    assert {"sla_response_breached", "sla_response_over_target"} & set(ticket.tags)


def test_backfill_leaves_the_live_cursor_alone(make_app: AppFactory, clock: Clock) -> None:
    app = make_app()
    summary = app.worker().run_backfill(0, None)
    assert summary.tickets_seen > 0
    assert summary.written > 0
    assert app.store.get("cursor:tickets") is None
    assert not [k for (k,) in app.store.db.execute("SELECT key FROM meta") if "backfill" in k]
    clock.advance(61)  # the backfill's own writes are in the export a minute later
    again = app.worker().run_backfill(0, None)
    assert again.tickets_seen == summary.tickets_seen  # a new backfill starts afresh


def test_setup_is_idempotent(make_app: AppFactory, sandbox: SandboxServer) -> None:
    from zendesk_sla.account.fields import provision

    app = make_app()
    again = provision(app.gateway, app.config)
    assert not any(item.created for item in again)
    titles = [f.title for f in sandbox.sandbox.account.fields.values() if f.kind == "ticket"]
    assert len(titles) == len(set(titles))


def test_a_quiet_poll_reads_only_the_four_exports(
    make_app: AppFactory, sandbox: SandboxServer, clock: Clock
) -> None:
    # The sample's contacts were created in the same second: the time-based user export
    # returns them at every poll, and re-reading each one's memberships cost 27 requests.
    app = make_app()
    run_until_settled(app, clock)
    worker = app.worker()
    before = dict(app.session.meter.requests)
    clock.advance(61)
    worker.run_cycle()
    spent = {k: v - before.get(k, 0) for k, v in app.session.meter.requests.items()}
    assert {k for k, v in spent.items() if v} == {
        "GET /api/v2/incremental/users",
        "GET /api/v2/incremental/organizations",
        "GET /api/v2/incremental/ticket_events",
        "GET /api/v2/incremental/tickets/cursor",
    }
