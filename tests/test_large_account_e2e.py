"""An account past Zendesk's offset-pagination cap: lists are read by cursor, and a list the
worker cannot read never blocks the ticket path."""

from __future__ import annotations

import pytest
import requests
from zendesk_sla.sandbox.generator import API_EMAIL
from zendesk_sla.sandbox.records import User
from zendesk_sla.sandbox.serve import TOKEN, Clock
from zendesk_sla.sandbox.server import SandboxServer

from tests.worker_fixtures import AppFactory, new_ticket

MEMBERS = 12_000


def crowd(sandbox: SandboxServer, clock: Clock) -> tuple[User, int]:
    """12,000 more end users, each a member of its organization; an authorized contact
    listed after all of them, also a member of a second organization (the last pages)."""
    account = sandbox.sandbox.account
    orgs = sorted(account.organizations)
    first = max(account.users) + 1
    with account.lock:
        for n in range(MEMBERS):
            account.add_user(
                User(
                    id=first + n,
                    name=f"Crowd {n}",
                    email=f"crowd{n}@example.com",
                    role="end-user",
                    organization_id=orgs[n % len(orgs)],
                    created_at=int(clock()) - 86_400,
                    updated_at=int(clock()) - 86_400 + n % 3_600,  # seconds apart, as real ones
                )
            )
        home, other = orgs[0], orgs[1]
        contact = account.add_user(
            User(
                id=first + MEMBERS,
                name="Last contact",
                email="last@example.com",
                role="end-user",
                organization_id=home,
                created_at=int(clock()) - 86_400,
                updated_at=int(clock()) - 60,
                user_fields={"sla_authorized_contact": True},
            )
        )
        account.memberships[contact.id] = {other}
    return contact, other


def get(sandbox: SandboxServer, path: str, **params: object) -> requests.Response:
    return requests.get(
        f"{sandbox.url}/api/v2/{path}.json",
        params=params,
        auth=(f"{API_EMAIL}/token", TOKEN),
        timeout=30,
    )


def test_offset_pages_stop_at_page_100_and_cursor_pages_do_not(
    sandbox: SandboxServer, clock: Clock
) -> None:
    crowd(sandbox, clock)
    assert get(sandbox, "organization_memberships", page=100, per_page=100).ok
    refused = get(sandbox, "organization_memberships", page=101, per_page=100)
    assert refused.status_code == 400
    assert refused.json()["error"] == "InvalidPaginationParameter"
    seen, url = 0, f"{sandbox.url}/api/v2/organization_memberships.json?page[size]=100"
    while url:
        page = requests.get(url, auth=(f"{API_EMAIL}/token", TOKEN), timeout=30).json()
        seen += len(page["organization_memberships"])
        assert set(page) == {"organization_memberships", "meta", "links"}
        url = page["links"]["next"] if page["meta"]["has_more"] else None
    assert seen == len(sandbox.sandbox.account.all_memberships()) > 10_000


@pytest.mark.parametrize("path", ["views", "triggers", "ticket_fields", "organization_fields"])
def test_every_list_the_worker_reads_pages_by_cursor(sandbox: SandboxServer, path: str) -> None:
    page = get(sandbox, path, **{"page[size]": 1}).json()
    assert set(page) == {path, "meta", "links"}  # no offset keys: a cursor page
    assert page["meta"]["has_more"] is (len(page[path]) == 1 and page["links"]["next"] is not None)


def test_an_account_with_12000_memberships_syncs_and_sweeps_clean(
    make_app: AppFactory, sandbox: SandboxServer, clock: Clock
) -> None:
    contact, other = crowd(sandbox, clock)
    account = sandbox.sandbox.account
    template = next(t for t in account.tickets.values() if t.organization_id == other)
    ticket = new_ticket(account, template, requester_id=contact.id, organization_id=other)
    clock.advance(61)
    worker = make_app().worker()
    first = worker.run_cycle()
    assert first.error is None and first.evaluated > 0
    # The contact's second organization came from a membership past record 10,000.
    assert "sla_unauthorized_contact" not in account.tickets[ticket.id].tags
    clock.advance(86_401)  # the sweep reads every membership again once a day
    sweep = worker.run_sweep()
    assert sweep.error is None


def test_a_directory_read_zendesk_refuses_backs_off_and_never_blocks_the_tickets(
    make_app: AppFactory, sandbox: SandboxServer, clock: Clock
) -> None:
    def refuse(status: int) -> None:
        body = {"method": "GET", "path": "/api/v2/organization_memberships", "status": status}
        requests.post(f"{sandbox.url}/sandbox/refuse", json=body, timeout=10).raise_for_status()

    refuse(403)
    worker = make_app().worker()
    clock.advance(61)
    first = worker.run_cycle()
    assert first.error is None and first.evaluated > 0  # the ticket path went on
    assert any("directory read failed 1 times" in line for line in first.degraded)
    for _ in range(60):  # an hour of polls, a minute apart
        clock.advance(60)
        assert worker.run_cycle().error is None
    tries = sandbox.sandbox.stats["refused 403"]
    assert tries <= 8  # waits of 1, 2, 4, ... minutes, not one read a minute
    refuse(0)
    clock.advance(3_600)  # the longest wait
    again = worker.run_cycle()
    assert again.degraded == []
    assert worker.store.get("memberships:refreshed")  # read whole at last
