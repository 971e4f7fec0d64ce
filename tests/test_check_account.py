"""`zendesk-sla check-account`: a read-only pre-flight, one line per check, exit 0 or 1;
against the sandbox and against the API notes' documented bodies."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest
import responses
from zendesk_sla.cli import main
from zendesk_sla.config import load_config
from zendesk_sla.core.templates import template_errors
from zendesk_sla.preflight.checks import FAIL, OK, WARN, AccountCheck, Line
from zendesk_sla.preflight.report import messages, printed
from zendesk_sla.sandbox.server import SandboxServer

from tests.conftest import CONFIG, unpaced_yaml
from tests.worker_fixtures import point_cli_at

KEYS = [
    "role",
    "ticket fields",
    "organization fields",
    "user fields",
    "support center",
    "ticket statuses",
    "ticket-events export",
    "rate-limit headers",
    "organizations",
    "size",
]


def check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    code = main(["check-account", "--config", str(unpaced_yaml(tmp_path))])
    return code, capsys.readouterr().out.splitlines()


def test_against_the_sandbox_every_check_has_its_line_and_nothing_is_written(
    sandbox: SandboxServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    point_cli_at(monkeypatch, sandbox, tmp_path / "state.sqlite3")
    before = len(sandbox.sandbox.journal)
    code, lines = check(tmp_path, capsys)
    assert code == 0, lines
    assert len(lines) == len(KEYS) + 1  # and the summary
    assert lines[0].startswith("ok") and "role admin" in lines[0]
    assert "fields: " in lines[1] and lines[1].startswith("warn")  # setup has not run yet
    assert "custom statuses" in lines[5] and "pending: 1" in lines[5]
    assert "in the documented shape" in lines[6]
    assert "ratelimit-*" in lines[7] and "x-rate-limit*" in lines[7]
    assert "organizations: " in lines[8]
    tickets = len(sandbox.sandbox.account.tickets)
    assert f"size: {tickets} tickets" in lines[9]
    assert lines[-1].startswith("check-account: 10 checks, nothing blocks")
    assert len(sandbox.sandbox.journal) == before  # GETs only
    assert not (tmp_path / "state.sqlite3").exists()  # and no state made

    # After setup the fields are there; on an account giving the audit shape, it is said.
    assert main(["setup", "--config", str(unpaced_yaml(tmp_path))]) == 0
    capsys.readouterr()
    sandbox.sandbox.account.event_shape = "audit"
    code, lines = check(tmp_path, capsys)
    assert code == 0
    assert all(line.startswith("ok") for line in lines[1:4]), lines[1:4]
    assert "in the audit shape (field_name/value)" in lines[6]


def test_an_unreachable_host_is_one_line_and_exit_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nobody listens there
    monkeypatch.setenv("ZENDESK_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("ZENDESK_EMAIL", "worker@example.com")
    monkeypatch.setenv("ZENDESK_API_TOKEN", "x")
    code, lines = check(tmp_path, capsys)
    assert code == 1
    assert len(lines) == 1 and lines[0].startswith(
        f"FAIL  cannot reach Zendesk at http://127.0.0.1:{port}"
    )


def test_refused_credentials_are_one_line_and_exit_1(
    sandbox: SandboxServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    point_cli_at(monkeypatch, sandbox, tmp_path / "state.sqlite3", ZENDESK_API_TOKEN="wrong")
    code, lines = check(tmp_path, capsys)
    assert (code, len(lines)) == (1, 1)
    assert lines[0].startswith("FAIL  Zendesk refused the credentials (HTTP 401")


def test_an_address_that_is_no_zendesk_is_one_line_and_exit_1(
    sandbox: SandboxServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    point_cli_at(monkeypatch, sandbox, tmp_path / "s.sqlite3", ZENDESK_URL=f"{sandbox.url}/x")
    code, lines = check(tmp_path, capsys)
    assert (code, len(lines)) == (1, 1)
    assert "answered users/me with HTTP 404 and no Zendesk user" in lines[0]


def test_a_token_that_is_not_an_admins_fails_the_role_check(
    sandbox: SandboxServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    account = sandbox.sandbox.account
    account.users[account.api_user_id or 0].role = "agent"
    point_cli_at(monkeypatch, sandbox, tmp_path / "state.sqlite3")
    code, lines = check(tmp_path, capsys)
    assert code == 1
    assert lines[0].startswith("FAIL") and "role agent: setup needs an admin" in lines[0]
    assert lines[-1].startswith("check-account: 1 of 10 checks block the worker")


def test_every_message_names_only_the_values_its_check_gives() -> None:
    """Each message is one a check or the report can give (none is dead text), and the
    values the checks really give fill every placeholder (see `filled` in the tests)."""
    import zendesk_sla.preflight.checks as checks_module
    import zendesk_sla.preflight.report as report_module

    source = Path(checks_module.__file__).read_text() + Path(report_module.__file__).read_text()
    for key in messages():
        assert f'"{key}"' in source, f"message {key} is given by no check"


def filled(lines: list[Line]) -> None:
    """Every line's message takes exactly the values its check gave."""
    for line in lines:
        assert template_errors(messages()[line.key], set(line.values)) == [], line.key


# -- against the API notes' documented and recorded bodies ------------------------------
BASE = "https://athento.zendesk.com/api/v2"
OLD_HEADERS = {"rate-limit": "700", "rate-limit-remaining": "698", "rate-limit-reset": "6"}


def field(kind: str, **spec: Any) -> dict[str, Any]:
    return {"id": 6164040502426, "type": "text", "active": True, "system": False, **spec}


@responses.activate
def test_against_documented_bodies() -> None:
    config = load_config(CONFIG)
    me = {"user": {"id": 9, "name": "API", "email": "a@b.c", "role": "admin"}}
    responses.get(f"{BASE}/users/me.json", json=me, headers=OLD_HEADERS)  # a 2023 account
    ticket_titles = [str(v) for v in config.fields.ticket_fields.values()]
    tickets = [field("ticket", id=100 + i, title=t) for i, t in enumerate(ticket_titles)]
    page_end = {"meta": {"has_more": False, "after_cursor": None}, "links": {"next": None}}
    responses.get(f"{BASE}/ticket_fields.json", json={"ticket_fields": tickets, **page_end})
    orgs = [field("organization", key=k) for k in config.fields.organization_fields.values()]
    orgs[0]["active"] = False
    responses.get(
        f"{BASE}/organization_fields.json", json={"organization_fields": orgs, **page_end}
    )
    users = [field("user", key=k) for k in config.fields.user_fields.values()]
    responses.get(f"{BASE}/user_fields.json", json={"user_fields": users, **page_end})
    responses.get(f"{BASE}/help_center/user_segments.json", status=404, body="")
    responses.get(
        f"{BASE}/custom_statuses.json",
        json={"custom_statuses": [
            {"id": 1, "status_category": "open", "agent_label": "Open", "active": True},
            {"id": 2, "status_category": "open", "agent_label": "In progress", "active": True},
            {"id": 3, "status_category": "pending", "agent_label": "Pending", "active": True},
            {"id": 4, "status_category": "hold", "agent_label": "Old", "active": False},
        ]},
    )  # fmt: skip
    change = {"id": 5, "type": "Change", "field_name": "status", "value": "solved"}
    events = {
        "ticket_events": [{"id": 1, "ticket_id": 2, "timestamp": 1, "child_events": [change]}]
    }
    responses.get(f"{BASE}/incremental/ticket_events.json", json={**events, "end_of_stream": True})
    org = {"id": 1, "name": "A", "organization_fields": {"support_plan": "gold"}}
    responses.get(
        f"{BASE}/incremental/organizations.json",
        json={"organizations": [org], "end_of_stream": True, "end_time": 2, "count": 1},
    )
    responses.get(f"{BASE}/tickets/count.json", json={"count": {"value": 25_000}})
    members = [{"id": i, "user_id": i, "organization_id": 1} for i in range(3)]
    responses.get(
        f"{BASE}/organization_memberships.json",
        json={"organization_memberships": members, **page_end},
    )
    from zendesk_sla.app import connect
    from zendesk_sla.ops.settings import Settings

    settings = Settings(zendesk_subdomain="athento", zendesk_email="a@b.c", zendesk_api_token="t")
    _, _, gateway = connect(settings, config)
    lines = AccountCheck(gateway, config, now=1_764_000_000).run()
    filled(lines)
    levels = {line.key: line.level for line in lines}
    assert levels["role_admin"] == OK
    assert levels["fields_missing"] == WARN  # the inactive organization field
    assert levels["help_center_off"] == WARN
    assert levels["statuses_custom"] == OK and levels["events_audit"] == OK
    assert levels["plans_unknown"] == WARN
    text, code = printed(lines)
    assert code == 0
    joined = "\n".join(text)
    assert "is inactive" in joined and "HTTP 404 (Guide is not enabled" in joined
    assert "3 active custom statuses (open: 2, pending: 1)" in joined
    assert "rate-limit*, x-rate-limit*" not in joined  # this answer had the old spelling only
    assert "rate-limit*; 698 of 700" in joined
    assert "'gold' (1)" in joined
    assert "25000 tickets and 3 organization memberships" in joined
    assert "50 export pages (at least 5 min at 10 exports a minute)" in joined
    assert FAIL not in {line.level for line in lines}
    assert json.dumps([line.values for line in lines])  # values print as plain text
