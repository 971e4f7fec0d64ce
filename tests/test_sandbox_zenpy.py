"""The sandbox speaks the Zendesk Support API as zenpy 2.0.57 expects, endpoint by endpoint."""

from __future__ import annotations

import base64
import time

import pytest
import requests
from zendesk_sla.sandbox.account import Account
from zendesk_sla.sandbox.generator import API_EMAIL, seed_account
from zendesk_sla.sandbox.serve import TOKEN, Clock
from zendesk_sla.sandbox.server import Faults, RateLimits, SandboxServer
from zenpy import Zenpy
from zenpy.lib.api_objects import Organization, Ticket
from zenpy.lib.exception import APIException, RecordNotFoundException, TooManyValuesException

from tests.sandbox_fixtures import point_zenpy_at

AUTH = (f"{API_EMAIL}/token", TOKEN)


def _wait_job(client: Zenpy, job_id: str) -> object:
    seen = []
    for _ in range(200):
        job = client.job_status(id=job_id)
        seen.append(job.status)
        if job.status in ("completed", "failed"):
            return job
        time.sleep(0.02)
    raise AssertionError(f"job never finished: {seen}")


def test_cursor_export_runs_to_the_end_of_stream(zenpy_client: Zenpy) -> None:
    generator = zenpy_client.tickets.incremental(start_time=0, per_page=40)
    ids = [t.id for t in generator]
    assert sorted(ids) == list(range(1, 301))
    assert generator.end_of_stream is True
    # The last page still carries a cursor: base64 of "<generated_timestamp>.0||<id>|".
    decoded = base64.b64decode(generator.after_cursor).decode()
    assert decoded.endswith("|") and ".0||" in decoded


def test_after_url_is_absolute_and_keeps_per_page(sandbox: SandboxServer) -> None:
    page = requests.get(
        f"{sandbox.url}/api/v2/incremental/tickets/cursor.json",
        params={"start_time": 0, "per_page": 5},
        auth=AUTH,
        timeout=10,
    ).json()
    assert page["after_url"].startswith(f"{sandbox.url}/api/v2/incremental/tickets/cursor.json?")
    assert "per_page=5" in page["after_url"] and "%3D" in page["after_url"]
    assert page["before_url"] is None and page["before_cursor"] is None
    assert page["end_of_stream"] is False and len(page["tickets"]) == 5
    assert set(page) == {
        "tickets",
        "after_url",
        "before_url",
        "after_cursor",
        "before_cursor",
        "end_of_stream",
    }


def test_resume_from_a_saved_cursor_sees_only_later_changes(
    zenpy_client: Zenpy, sandbox: SandboxServer, clock: Clock
) -> None:
    first = zenpy_client.tickets.incremental(start_time=0)
    list(first)
    saved = first.after_cursor
    ticket = next(t for t in sandbox.sandbox.account.tickets.values() if t.status == "open")
    zenpy_client.tickets.update(Ticket(id=ticket.id, additional_tags=["resume_probe"]))
    assert [t.id for t in zenpy_client.tickets.incremental(cursor=saved)] == []  # < 60 s old
    clock.advance(61)
    resumed = zenpy_client.tickets.incremental(cursor=saved)
    assert [t.id for t in resumed] == [ticket.id]
    assert resumed.after_cursor != saved


def test_metric_sets_are_embedded_in_each_ticket(zenpy_client: Zenpy) -> None:
    ticket = next(iter(zenpy_client.tickets.incremental(start_time=0, include=["metric_sets"])))
    assert "reply_time_in_minutes" in ticket.metric_set
    assert set(ticket.metric_set["reply_time_in_minutes"]) == {"calendar", "business"}


def test_ticket_events_with_comment_events(zenpy_client: Zenpy) -> None:
    events = list(zenpy_client.tickets.events(start_time=0, include=["comment_events"]))
    assert events and all(isinstance(e.via, str) for e in events)
    comments = [c for e in events for c in e.child_events if c["event_type"] == "Comment"]
    assert comments and all({"public", "author_id", "body"} <= set(c) for c in comments)
    assert any(c["via"]["channel"] == "rule" for c in comments)  # trigger auto-replies
    changes = [c for e in events for c in e.child_events if "status" in c]
    assert {c["status"] for c in changes} >= {"new", "open", "pending", "solved"}


def test_ticket_events_without_sideload_flag_comments_only(zenpy_client: Zenpy) -> None:
    events = list(zenpy_client.tickets.events(start_time=0))
    assert all(c["event_type"] != "Comment" for e in events for c in e.child_events)
    assert any(e.comment_present for e in events)


def test_bulk_update_runs_as_a_job_and_merges_tags_and_fields(
    zenpy_client: Zenpy, sandbox: SandboxServer
) -> None:
    account = sandbox.sandbox.account
    account.job_delay_seconds = 0.5  # long enough to see the job queued
    field = next(f for f in account.fields.values() if f.kind == "ticket")
    targets = [t for t in account.tickets.values() if t.status in ("new", "open")][:3]
    before = {t.id: list(t.tags) for t in targets}
    job = zenpy_client.tickets.update(
        [
            Ticket(
                id=t.id,
                additional_tags=["sla_at_risk"],
                custom_fields=[{"id": field.id, "value": "major"}],
                comment={"body": "Nota SLA", "public": False},
            )
            for t in targets
        ]
    )
    assert job.status == "queued" and job.id.startswith("V3-") and job.results is None
    assert all("sla_at_risk" not in t.tags for t in targets)  # not applied until the job runs
    done = _wait_job(zenpy_client, job.id)
    assert done.status == "completed"
    assert [r.success for r in done.results] == [True, True, True]
    for t in targets:
        assert t.tags == before[t.id] + ["sla_at_risk"]
        assert t.custom_fields[field.id] == "major"
    notes = [c for _, c in account.comments(targets[0].id) if c["body"] == "Nota SLA"]
    assert len(notes) == 1 and notes[0]["public"] is False


def test_remove_tags_removes_only_the_named_tags(
    zenpy_client: Zenpy, sandbox: SandboxServer
) -> None:
    ticket = next(t for t in sandbox.sandbox.account.tickets.values() if t.status == "open")
    ticket.tags = ["vip", "sla_at_risk"]
    job = zenpy_client.tickets.update([Ticket(id=ticket.id, remove_tags=["sla_at_risk"])])
    _wait_job(zenpy_client, job.id)
    assert ticket.tags == ["vip"]


def test_more_than_100_tickets_is_too_many_values(zenpy_client: Zenpy) -> None:
    with pytest.raises(TooManyValuesException):
        zenpy_client.tickets.update([Ticket(id=i, additional_tags=["x"]) for i in range(1, 102)])


def test_single_update_returns_ticket_and_audit(
    zenpy_client: Zenpy, sandbox: SandboxServer
) -> None:
    ticket = next(t for t in sandbox.sandbox.account.tickets.values() if t.status == "open")
    audit = zenpy_client.tickets.update(Ticket(id=ticket.id, status="pending"))
    assert audit.ticket.status == "pending"
    change = next(e for e in audit.audit.events if e["field_name"] == "status")
    assert change["previous_value"] == "open"


def test_safe_update_with_stale_stamp_is_a_409(zenpy_client: Zenpy, sandbox: SandboxServer) -> None:
    ticket = next(t for t in sandbox.sandbox.account.tickets.values() if t.status == "open")
    with pytest.raises(APIException) as err:
        zenpy_client.tickets.update(
            Ticket(
                id=ticket.id,
                status="pending",
                safe_update=True,
                updated_stamp="2001-01-01T00:00:00Z",
            )
        )
    assert err.value.response.status_code == 409
    assert err.value.response.json()["error"] == "UpdateConflict"
    assert ticket.status == "open"


def test_safe_update_conflict_in_a_job_is_a_failed_result(
    zenpy_client: Zenpy, sandbox: SandboxServer
) -> None:
    ticket = next(t for t in sandbox.sandbox.account.tickets.values() if t.status == "open")
    job = zenpy_client.tickets.update(
        [
            Ticket(
                id=ticket.id,
                additional_tags=["x"],
                safe_update=True,
                updated_stamp="2001-01-01T00:00:00Z",
            )
        ]
    )
    result = _wait_job(zenpy_client, job.id).results[0]
    assert result.success is False and result.error == "UpdateConflict"


def test_errors_come_as_zendesk_sends_them(zenpy_client: Zenpy, sandbox: SandboxServer) -> None:
    with pytest.raises(RecordNotFoundException):
        zenpy_client.tickets(id=999_999)
    ticket = next(t for t in sandbox.sandbox.account.tickets.values() if t.status == "open")
    with pytest.raises(APIException) as err:
        zenpy_client.tickets.update(Ticket(id=ticket.id, status="bogus"))
    body = err.value.response.json()
    assert err.value.response.status_code == 422
    assert body["error"] == "RecordInvalid" and "status" in body["details"]


def test_bad_credentials_get_a_401(sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> None:
    point_zenpy_at(monkeypatch, sandbox.url)
    client = Zenpy(subdomain="athento", email=API_EMAIL, token="wrong")
    with pytest.raises(APIException) as err:
        client.tickets(id=1)
    assert err.value.response.status_code == 401


def test_bearer_token_is_accepted(sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> None:
    point_zenpy_at(monkeypatch, sandbox.url)
    client = Zenpy(subdomain="athento", oauth_token="sandbox-oauth")
    assert client.tickets(id=1).id == 1


def test_organizations_users_and_fields(zenpy_client: Zenpy, sandbox: SandboxServer) -> None:
    orgs = list(zenpy_client.organizations.incremental(start_time=0))
    assert orgs and "support_plan" in orgs[0].organization_fields
    assert zenpy_client.organizations(id=orgs[0].id).name == orgs[0].name
    users = list(zenpy_client.users.incremental(start_time=0, paginate_by_time=True))
    assert {u.role for u in users} >= {"end-user", "agent", "admin"}
    assert zenpy_client.users(id=users[0].id).email == users[0].email
    keys = {f.key for f in zenpy_client.organization_fields()}
    assert {"support_plan", "contract_start"} <= keys


def test_field_creation_and_duplicate_key(zenpy_client: Zenpy) -> None:
    from zenpy.lib.api_objects import OrganizationField

    created = zenpy_client.organization_fields.create(
        OrganizationField(key="quota_used", title="Quota used", type="integer")
    )
    assert created.id and created.key == "quota_used"
    with pytest.raises(APIException) as err:
        zenpy_client.organization_fields.create(
            OrganizationField(key="quota_used", title="Again", type="integer")
        )
    assert err.value.response.status_code == 422


def test_organization_update_merges_fields(zenpy_client: Zenpy, sandbox: SandboxServer) -> None:
    org = next(iter(sandbox.sandbox.account.organizations.values()))
    plan = org.organization_fields["support_plan"]
    zenpy_client.organizations.update(
        Organization(id=org.id, organization_fields={"contract_start": "2025-01-01"})
    )
    assert org.organization_fields["contract_start"] == "2025-01-01"
    assert org.organization_fields["support_plan"] == plan


def test_start_time_under_a_minute_old_is_refused(sandbox: SandboxServer) -> None:
    reply = requests.get(
        f"{sandbox.url}/api/v2/incremental/tickets/cursor.json",
        params={"start_time": int(time.time())},
        auth=AUTH,
        timeout=10,
    )
    assert reply.status_code == 400


def test_rate_limit_429_is_plain_text_with_retry_after(sandbox: SandboxServer) -> None:
    sandbox.sandbox.limits = RateLimits(per_minute=2, incremental_per_minute=0, window_seconds=1)
    replies = [
        requests.get(f"{sandbox.url}/api/v2/tickets/1.json", auth=AUTH, timeout=10)
        for _ in range(3)
    ]
    assert [r.status_code for r in replies] == [200, 200, 429]
    assert "Retry-After" not in replies[0].headers
    assert replies[0].headers["X-Rate-Limit"] == "2"
    assert replies[1].headers["X-Rate-Limit-Remaining"] == "0"
    limited = replies[2]
    assert limited.headers["Content-Type"] == "text/plain"
    assert limited.text == "Number of allowed API requests per minute exceeded"
    assert int(limited.headers["Retry-After"]) >= 1


def test_incremental_exports_have_their_own_bucket(sandbox: SandboxServer) -> None:
    sandbox.sandbox.limits = RateLimits(per_minute=100, incremental_per_minute=1, window_seconds=30)
    url = f"{sandbox.url}/api/v2/incremental/organizations.json"
    codes = [
        requests.get(url, params={"start_time": 0}, auth=AUTH, timeout=10).status_code
        for _ in range(2)
    ]
    assert codes == [200, 429]
    assert (
        requests.get(f"{sandbox.url}/api/v2/tickets/1.json", auth=AUTH, timeout=10).status_code
        == 200
    )


def test_zenpy_waits_out_a_429_and_succeeds(zenpy_client: Zenpy, sandbox: SandboxServer) -> None:
    sandbox.sandbox.limits = RateLimits(per_minute=1, incremental_per_minute=0, window_seconds=1)
    assert zenpy_client.tickets(id=1).id == 1
    assert zenpy_client.tickets(id=2).id == 2  # zenpy slept Retry-After, then re-sent
    assert sandbox.sandbox.stats["429"] >= 1


def test_injected_faults(sandbox: SandboxServer) -> None:
    sandbox.sandbox.faults = Faults(drop_rate=1.0)
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{sandbox.url}/api/v2/tickets/1.json", auth=AUTH, timeout=10)
    sandbox.sandbox.faults = Faults(error_rate=1.0)
    reply = requests.get(f"{sandbox.url}/api/v2/tickets/1.json", auth=AUTH, timeout=10)
    assert reply.status_code in (500, 503) and "Retry-After" not in reply.headers


def test_generator_is_deterministic() -> None:
    def snapshot(seed: int) -> list[tuple[int, str, str, int]]:
        account = Account(Clock(), api_user_email=API_EMAIL)
        from datetime import UTC, datetime

        seed_account(account, tickets=200, seed=seed, now=datetime(2026, 11, 1, tzinfo=UTC))
        return [(t.id, t.subject, t.status, t.created_at) for t in account.tickets.values()]

    assert snapshot(5) == snapshot(5)
    assert snapshot(5) != snapshot(6)


def test_generator_covers_plans_channels_and_statuses(sandbox: SandboxServer) -> None:
    account = sandbox.sandbox.account
    plans = {o.organization_fields["support_plan"] for o in account.organizations.values()}
    assert plans == {"starter", "plus", "standard", "company", "enterprise"}
    assert {t.via_channel for t in account.tickets.values()} >= {"email", "web", "voice"}
    assert {t.status for t in account.tickets.values()} >= {
        "new",
        "open",
        "pending",
        "solved",
        "closed",
    }
    authorized = {
        u.user_fields.get("sla_authorized_contact")
        for u in account.users.values()
        if u.role == "end-user"
    }
    assert authorized == {True, False}


def test_generate_streams_json_lines(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from zendesk_sla.cli import main

    assert main(["sandbox", "generate", "--tickets", "5", "--seed", "2"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    tickets = [r for r in records if r["type"] == "ticket"]
    assert [t["data"]["id"] for t in tickets] == [1, 2, 3, 4, 5]
    assert all(t["events"][0]["child_events"] for t in tickets)
    assert {r["type"] for r in records} >= {"organization", "user", "organization_field"}
    assert all(r["data"]["email"].isascii() for r in records if r["type"] == "user")


def test_support_answers_carry_the_current_budget_headers_and_help_center_only_the_x_pair(
    sandbox: SandboxServer,
) -> None:
    """As recorded (ZENDESK_API_NOTES 1.2): `ratelimit-*` on Support since 2024-02, and
    `x-rate-limit`/`x-rate-limit-remaining` alone on Help Center answers."""
    support = requests.get(f"{sandbox.url}/api/v2/tickets/1.json", auth=AUTH, timeout=10)
    guide = requests.get(f"{sandbox.url}/api/v2/help_center/user_segments", auth=AUTH, timeout=10)
    assert support.status_code == guide.status_code == 200
    assert {"ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"} <= {
        k.lower() for k in support.headers
    }
    assert {k.lower() for k in guide.headers if "rate" in k.lower()} == {
        "x-rate-limit",
        "x-rate-limit-remaining",
    }


def test_the_per_ticket_update_limit_answers_in_html_with_retry_after(
    sandbox: SandboxServer,
) -> None:
    ticket_id = next(iter(sandbox.sandbox.account.tickets))
    url = f"{sandbox.url}/api/v2/tickets/{ticket_id}.json"
    auth = (f"{API_EMAIL}/token", TOKEN)
    replies = [
        requests.put(url, json={"ticket": {"additional_tags": [f"t{n}"]}}, auth=auth, timeout=10)
        for n in range(31)
    ]
    assert [r.status_code for r in replies[:30]] == [200] * 30
    last = replies[30]
    assert last.status_code == 429 and last.headers["Content-Type"].startswith("text/html")
    assert int(last.headers["Retry-After"]) >= 1
    assert last.text.startswith("Rate limit for ticket updates exceeded")


def test_only_the_export_carries_generated_timestamp(sandbox: SandboxServer) -> None:
    ticket_id = next(iter(sandbox.sandbox.account.tickets))
    auth = (f"{API_EMAIL}/token", TOKEN)
    shown = requests.get(f"{sandbox.url}/api/v2/tickets/{ticket_id}.json", auth=auth, timeout=10)
    many = requests.get(
        f"{sandbox.url}/api/v2/tickets/show_many.json?ids={ticket_id}", auth=auth, timeout=10
    )
    assert "generated_timestamp" not in shown.json()["ticket"]
    assert "generated_timestamp" not in many.json()["tickets"][0]
