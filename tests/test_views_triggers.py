"""`setup` provisions the views agents work from and the triggers that alert them, once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests
from zendesk_sla.cli import main
from zendesk_sla.sandbox.errors import ApiError
from zendesk_sla.sandbox.generator import API_EMAIL
from zendesk_sla.sandbox.serve import TOKEN
from zendesk_sla.sandbox.server import SandboxServer

from tests.conftest import unpaced_yaml
from tests.worker_fixtures import point_cli_at


@pytest.fixture
def set_up(
    sandbox: SandboxServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> str:
    point_cli_at(monkeypatch, sandbox, tmp_path / "state.sqlite3")
    config = unpaced_yaml(tmp_path)
    assert main(["setup", "--config", str(config)]) == 0
    capsys.readouterr()
    return str(config)


def test_setup_twice_creates_the_views_and_triggers_once(
    set_up: str, sandbox: SandboxServer, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = sandbox.sandbox.rules
    views, triggers = dict(rules.views), dict(rules.triggers)
    assert len(views) == 6 and len(triggers) == 6  # at risk; response and resolution breached
    assert main(["setup", "--config", set_up]) == 0
    out = capsys.readouterr().out
    assert (rules.views, rules.triggers) == (views, triggers)
    assert "created" not in out and out.count("exists") >= 10


def test_views_are_ordered_by_urgency_and_sorted_by_the_next_due(
    set_up: str, sandbox: SandboxServer
) -> None:
    account = sandbox.sandbox.account
    due = next(f.id for f in account.fields.values() if f.title == "SLA next due (Madrid)")
    views = sorted(sandbox.sandbox.rules.views.values(), key=lambda v: v["position"])
    assert [v["title"] for v in views][:2] == [
        "SLA · 1 · Incumplidos",
        "SLA · 2 · En riesgo de incumplir",
    ]
    first = views[0]
    tags = next(c for c in first["conditions"]["all"] if c["field"] == "current_tags")
    assert tags["value"] == "sla_response_breached sla_resolution_breached"
    assert first["execution"]["sort_by"] == due
    # The due time first, then the API reference's columns (Subject is `description`).
    assert first["execution"]["columns"][:2] == [
        {"id": due, "title": "SLA next due (Madrid)"},
        {"id": "status", "title": "Status category"},
    ]
    assert {"id": "description", "title": "Subject"} in first["execution"]["columns"]
    assert {"field": "status", "operator": "less_than", "value": "solved"} in first["conditions"][
        "all"
    ]


def test_an_alert_goes_to_the_assignee_or_to_the_group_once(
    set_up: str, sandbox: SandboxServer
) -> None:
    triggers = {t["title"]: t for t in sandbox.sandbox.rules.triggers.values()}
    assigned = triggers["SLA · aviso de ticket en riesgo (asignado)"]
    group = triggers["SLA · aviso de ticket en riesgo (sin asignar, al grupo)"]
    assert assigned["actions"][0]["field"] == "notification_user"
    assert assigned["actions"][0]["value"][0] == "assignee_id"
    assert group["actions"][0]["value"][0] == "group_id"
    marker = assigned["actions"][1]["value"]
    assert {"field": "current_tags", "operator": "not_includes", "value": marker} in assigned[
        "conditions"
    ]["all"]


def test_each_breach_alerts_once_and_is_marked_for_what_breached(
    set_up: str, sandbox: SandboxServer
) -> None:
    """The breach trigger marked `sla_response_breached_avisado` on a ticket whose
    resolution breached, and a resolution breach after a response alert sent nothing."""
    account = sandbox.sandbox.account
    agent = next(u.id for u in account.users.values() if u.role == "agent")
    ticket = next(t for t in account.tickets.values() if t.status in ("new", "open"))
    sent = len(sandbox.sandbox.sent)
    with account.lock:
        account.update_ticket(ticket.id, {"assignee_id": agent}, agent)
        account.update_ticket(ticket.id, {"additional_tags": ["sla_resolution_breached"]}, agent)
    tags = account.tickets[ticket.id].tags
    assert "sla_resolution_breached_avisado" in tags
    assert "sla_response_breached_avisado" not in tags
    with account.lock:
        account.update_ticket(ticket.id, {"additional_tags": ["sla_response_breached"]}, agent)
        account.update_ticket(ticket.id, {"comment": {"body": "x", "public": False}}, agent)
    mails = [m for m in sandbox.sandbox.sent[sent:] if m.ticket_id == ticket.id]
    assert [m.trigger for m in mails] == [  # one alert per breach, to the assignee
        "SLA · aviso de ticket incumplido · sla_resolution_breached (asignado)",
        "SLA · aviso de ticket incumplido · sla_response_breached (asignado)",
    ]


def test_setup_retires_the_one_trigger_for_both_breaches_it_made_before(
    sandbox: SandboxServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from zendesk_sla.account.views_triggers import SENT_TO

    rules = sandbox.sandbox.rules
    with sandbox.sandbox.account.lock:  # what earlier releases created
        for suffix, *_ in SENT_TO:
            rules.create_trigger(
                {
                    "title": f"SLA · aviso de ticket incumplido ({suffix})",
                    "conditions": {
                        "all": [{"field": "status", "operator": "less_than", "value": "solved"}]
                    },
                    "actions": [
                        {"field": "current_tags", "value": "sla_response_breached_avisado"}
                    ],
                },
                0,
                sandbox.url,
            )
    point_cli_at(monkeypatch, sandbox, tmp_path / "state.sqlite3")
    assert main(["setup", "--config", str(unpaced_yaml(tmp_path))]) == 0
    out = capsys.readouterr().out
    assert out.count("deactivated (replaced by one trigger per breach)") == 2
    old = [t for t in rules.triggers.values() if t["title"].endswith("incumplido (asignado)")]
    assert [t["active"] for t in old] == [False]


def test_the_sandbox_refuses_a_view_zendesk_refuses(sandbox: SandboxServer) -> None:
    rules = sandbox.sandbox.rules
    tag_only = {
        "title": "x",
        "all": [{"field": "current_tags", "operator": "includes", "value": "a"}],
    }
    with pytest.raises(ApiError) as refused:
        rules.create_view(tag_only, 0, "")
    assert refused.value.status == 422
    assert "Status, Type, Group, Assignee, Requester" in refused.value.body["description"]
    with pytest.raises(ApiError):
        rules.create_trigger({"title": "t", "conditions": {"all": tag_only["all"]}}, 0, "")


def _view(output: dict[str, object]) -> dict[str, object]:
    return {
        "title": "Old shape",
        "all": [{"field": "status", "operator": "less_than", "value": "solved"}],
        "output": output,
    }


@pytest.mark.parametrize(
    "output",
    [
        {"columns": ["subject", "status"]},  # Subject is `description`
        {"columns": ["custom_fields_{due}"]},  # a custom field column is its numeric id
        {"columns": ["status"], "sort_by": "custom_fields_{due}"},
        {"columns": ["status", "description"], "sort_by": "description"},  # cannot sort
        {"columns": ["status"] * 11},  # at most ten columns
        {"columns": [999_999_999]},  # no such field
    ],
)
def test_the_sandbox_refuses_a_view_outside_the_api_reference_shapes(
    sandbox: SandboxServer, output: dict[str, object]
) -> None:
    account = sandbox.sandbox.account
    due = next(iter(f.id for f in account.fields.values() if f.kind == "ticket"))
    text = json.dumps(output).replace("{due}", str(due))
    reply = requests.post(
        f"{sandbox.url}/api/v2/views.json",
        json={"view": _view(json.loads(text))},
        auth=(f"{API_EMAIL}/token", TOKEN),
        timeout=10,
    )
    assert reply.status_code == 422
    assert reply.json()["error"] == "RecordInvalid"


def test_the_sandbox_takes_a_view_in_the_api_reference_shape(sandbox: SandboxServer) -> None:
    account = sandbox.sandbox.account
    due = next(iter(f.id for f in account.fields.values() if f.kind == "ticket"))
    output = {"columns": [due, "description", "nice_id"], "sort_by": due, "group_by": "status"}
    reply = requests.post(
        f"{sandbox.url}/api/v2/views.json",
        json={"view": _view(output)},
        auth=(f"{API_EMAIL}/token", TOKEN),
        timeout=10,
    )
    assert reply.status_code == 201, reply.text
