"""Nothing lost: a write whose answer never came is verified, and its note posted exactly once."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from zendesk_sla.sandbox.serve import Clock
from zendesk_sla.sandbox.server import SandboxServer
from zendesk_sla.zendesk.gateway import UNKNOWN, Outcome, Submitted, Write

from tests.test_sync_e2e import assert_no_duplicate_notes, run_until_settled
from tests.worker_fixtures import AppFactory, fast_config, new_ticket, notes_by_ticket


@pytest.mark.parametrize("applied", [True, False], ids=["applied", "never-arrived"])
def test_after_a_cycle_of_unanswered_writes_every_ticket_gets_its_sla_note_once(
    make_app: AppFactory, sandbox: SandboxServer, clock: Clock, applied: bool
) -> None:
    account = sandbox.sandbox.account
    config = fast_config()
    config.raw.sync.__dict__["note_settle_seconds"] = 600  # as shipped: verify 10 min later
    app = make_app(config=config)
    worker = app.worker()
    worker.run_cycle()  # the quiet first run
    template = next(
        t
        for t in account.tickets.values()
        if "sla_plan_enterprise" in t.tags and "sla_unauthorized_contact" not in t.tags
    )
    fresh = {new_ticket(account, template).id for _ in range(40)}
    clock.advance(61)
    real_submit, real_collect = worker.gateway.submit, worker.gateway.collect

    def no_answer(writes: Sequence[Write]) -> Submitted:
        if applied:  # the jobs ran on Zendesk; the answer was lost on the way back
            real_collect(real_submit(writes))
        return Submitted(outcomes=[Outcome(w.ticket_id, UNKNOWN, "timeout") for w in writes])

    worker.gateway.submit = no_answer  # type: ignore[method-assign]
    worker.run_cycle()
    worker.gateway.submit = real_submit  # type: ignore[method-assign]
    run_until_settled(app, clock)
    clock.advance(700)  # past the settle time: uncertain notes are looked for in Zendesk
    run_until_settled(app, clock)

    notes = notes_by_ticket(sandbox)
    for tid in fresh:
        sla = [k for k in notes.get(tid, []) if k.startswith("sla:")]
        assert len(sla) == 1, f"ticket {tid}: {sla}"
    assert_no_duplicate_notes(sandbox)
