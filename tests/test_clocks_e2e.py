"""Against the sandbox: the next cycle corrects what the first, wrong clocks wrote."""

from __future__ import annotations

from zendesk_sla.sandbox.serve import Clock
from zendesk_sla.sandbox.server import SandboxServer

from tests.test_sync_e2e import run_until_settled
from tests.worker_fixtures import AppFactory


def test_breach_tags_written_by_the_old_clocks_are_removed_by_the_next_cycle(
    make_app: AppFactory, sandbox: SandboxServer, clock: Clock
) -> None:
    app = make_app()
    run_until_settled(app, clock)
    met = [
        a.ticket_id for a in app.store.applied_rows() if a.response_state == "met" and a.eligible
    ]
    account = sandbox.sandbox.account
    wrong = [tid for tid in met if account.tickets[tid].status not in ("closed", "deleted")][:5]
    assert wrong, "the sample account has answered tickets that are not closed"
    with account.lock:  # what the first release wrote on answered tickets
        for tid in wrong:
            account.update_ticket(
                tid, {"additional_tags": ["sla_response_breached"]}, account.api_user_id
            )
    clock.advance(61)
    run_until_settled(app, clock)
    for tid in wrong:
        assert "sla_response_breached" not in account.tickets[tid].tags, tid
