"""Consumption in the support center: an organization's contacts read their page; no one else.

The sandbox's help center admits an end user to an article only through its user
segment (here: the organization), as Zendesk's does; end users sign in with
their password and may use nothing but the help center.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import pytest
from zendesk_sla.sandbox.serve import Clock
from zendesk_sla.sandbox.server import END_USER_PASSWORD, SandboxServer
from zendesk_sla.store import StateStore

from tests.test_sync_e2e import run_until_settled
from tests.worker_fixtures import AppFactory


def as_user(sandbox: SandboxServer, email: str, path: str) -> tuple[int, dict]:
    token = base64.b64encode(f"{email}:{END_USER_PASSWORD}".encode()).decode()
    request = Request(f"{sandbox.url}{path}", headers={"Authorization": f"Basic {token}"})
    try:
        with urlopen(request, timeout=5) as reply:
            return reply.status, json.loads(reply.read())
    except HTTPError as exc:
        with exc:
            return exc.code, json.loads(exc.read() or b"{}")


def contact(sandbox: SandboxServer, org_id: int, authorized: bool = True) -> str:
    account = sandbox.sandbox.account
    for user in account.users.values():
        ours = user.organization_id == org_id and user.role == "end-user"
        if ours and bool(user.user_fields.get("sla_authorized_contact")) == authorized:
            return user.email
    raise AssertionError(f"no contact in organization {org_id}")


@pytest.fixture
def published(make_app: AppFactory, clock: Clock) -> AppFactory:
    run_until_settled(make_app(), clock)
    return make_app


def _pages(sandbox: SandboxServer) -> dict[int, object]:
    hc = sandbox.sandbox.help_center
    return {
        int(a.label_names[0].rsplit("-", 1)[1]): a
        for a in hc.articles.values()
        if a.label_names and a.label_names[0].startswith("sla-consumo-")
    }


def test_an_authorized_contact_reads_their_consumption_and_another_org_is_refused(
    published: AppFactory, sandbox: SandboxServer, tmp_path: Path
) -> None:
    pages = _pages(sandbox)
    assert len(pages) >= 3, "every organization with support has its page"
    store = StateStore(str(tmp_path / "state.sqlite3"))
    years = {row[0]: row for row in store.quota_years()}
    store.close()
    mine, other = sorted(o for o in pages if o in years)[:2]
    reader = contact(sandbox, mine)
    status, seen = as_user(sandbox, reader, "/api/v2/help_center/articles.json")
    assert status == 200
    readable = [a for a in seen["articles"] if a["label_names"] == [f"sla-consumo-{mine}"]]
    assert len(readable) == 1 and not any(
        a["label_names"] == [f"sla-consumo-{other}"] for a in seen["articles"]
    )
    body = readable[0]["body"]
    assert "Tickets consumidos" in body and "Año de contrato del" in body
    status, _ = as_user(sandbox, reader, f"/api/v2/help_center/articles/{pages[other].id}.json")
    assert status == 404  # another organization's page does not exist for them
    path = f"/api/v2/help_center/articles/{pages[other].id}.json"
    status, _ = as_user(sandbox, contact(sandbox, other), path)
    assert status == 200


def test_the_page_shows_the_quota_year_the_agents_fields_show(
    published: AppFactory, sandbox: SandboxServer
) -> None:
    account = sandbox.sandbox.account
    for org_id, article in _pages(sandbox).items():
        fields = account.organizations[org_id].organization_fields
        assert f"<tr><th>Tickets consumidos</th><td>{fields['quota_used']}</td>" in article.body
        assert f"Año de contrato {fields['quota_year']}." in article.body, org_id
        # The plan as the support page names it ("Company"), not its key ("company").
        plan = str(fields["support_plan"])
        assert f"<p>Plan {plan.capitalize()}." in article.body, org_id


def test_an_end_user_cannot_use_the_support_api(
    published: AppFactory, sandbox: SandboxServer
) -> None:
    org_id = next(iter(_pages(sandbox)))
    status, body = as_user(sandbox, contact(sandbox, org_id), "/api/v2/tickets/1.json")
    assert status == 403 and body["error"] == "Forbidden"


def test_an_unchanged_page_costs_no_request_and_a_lost_state_makes_no_duplicate(
    published: AppFactory, sandbox: SandboxServer, clock: Clock
) -> None:
    hc = sandbox.sandbox.help_center
    before = (len(hc.segments), len(hc.articles))
    app = published()
    app.worker().run_sweep()
    assert not [k for k in app.session.meter.requests if "help_center" in k]
    lost = published(state="lost.sqlite3")
    run_until_settled(lost, clock)
    assert (len(hc.segments), len(hc.articles)) == before


def test_only_the_organization_s_authorized_contacts_read_its_page(
    published: AppFactory, sandbox: SandboxServer, clock: Clock
) -> None:
    """Every member of the organization could read it; now its authorized contacts only,
    and the segment follows them when they change."""
    account = sandbox.sandbox.account
    pages = _pages(sandbox)
    org_id = next(
        o
        for o in pages
        if any(
            u.organization_id == o
            and u.role == "end-user"
            and not u.user_fields.get("sla_authorized_contact")
            for u in account.users.values()
        )
    )
    page = f"/api/v2/help_center/articles/{pages[org_id].id}.json"
    member = contact(sandbox, org_id, authorized=False)
    assert as_user(sandbox, member, page)[0] == 404
    reader = contact(sandbox, org_id)
    assert as_user(sandbox, reader, page)[0] == 200
    user = next(u for u in account.users.values() if u.email == member)
    with account.lock:  # the lead names one more contact, by the organization's tag
        user.tags = [f"sla_contact_{org_id}"]
    assert as_user(sandbox, member, page)[0] == 200  # at once: the segment asks for the tag
    demoted = next(u for u in account.users.values() if u.email == reader)
    with account.lock:  # and one contact is no longer authorized
        demoted.user_fields["sla_authorized_contact"] = False
        demoted.updated_at = user.updated_at = account.now()
    clock.advance(61)
    published().worker().run_cycle()
    assert as_user(sandbox, reader, page)[0] == 404


def test_the_page_lists_the_tickets_that_used_the_quota_this_year(
    published: AppFactory, sandbox: SandboxServer, tmp_path: Path
) -> None:
    import html

    account = sandbox.sandbox.account
    store = StateStore(str(tmp_path / "state.sqlite3"))
    try:
        used = {
            org: [t for t, state in rows if state in ("counted", "exceeded")]
            for org, rows in _quota_lines(store).items()
        }
    finally:
        store.close()
    for org_id, article in _pages(sandbox).items():
        fields = account.organizations[org_id].organization_fields
        listed = article.body.count("<li>#")
        assert listed == int(fields["quota_used"]), org_id
        for ticket_id in used.get(org_id, [])[:3]:
            if f"<li>#{ticket_id} " in article.body:
                subject = html.escape(account.tickets[ticket_id].subject)
                assert f"<li>#{ticket_id} {subject} (" in article.body


def _quota_lines(store: StateStore) -> dict[int, list[tuple[int, str]]]:
    out: dict[int, list[tuple[int, str]]] = {}
    for ticket_id, org_id, state in store.db.execute(
        "SELECT ticket_id, organization_id, state FROM quota"
    ):
        out.setdefault(org_id, []).append((ticket_id, state))
    return out


def test_a_contact_reads_the_page_in_their_support_center_language(
    published: AppFactory, sandbox: SandboxServer
) -> None:
    """The page was Spanish only: its English and Portuguese versions are translations of
    the same article, with the same figures."""
    pages = _pages(sandbox)
    org_id = next(iter(pages))
    reader = contact(sandbox, org_id)
    article = pages[org_id].id
    seen = {
        locale: as_user(sandbox, reader, f"/api/v2/help_center/{locale}/articles/{article}.json")
        for locale in ("es", "en-us", "pt-br")
    }
    assert all(status == 200 for status, _ in seen.values())
    bodies = {locale: body["article"]["body"] for locale, (_, body) in seen.items()}
    assert "Tickets consumidos" in bodies["es"]
    assert "Tickets used" in bodies["en-us"] and "Tickets consumidos" not in bodies["en-us"]
    assert "Tickets disponíveis" in bodies["pt-br"]
    used = sandbox.sandbox.account.organizations[org_id].organization_fields["quota_used"]
    assert f"<tr><th>Tickets used</th><td>{used}</td>" in bodies["en-us"]
    assert bodies["en-us"].count("<li>") == bodies["es"].count("<li>")
