"""Fields found by title among active ones, or pinned by id; never silently missing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from zendesk_sla.cli import main
from zendesk_sla.sandbox.generator import API_EMAIL
from zendesk_sla.sandbox.server import SandboxServer
from zendesk_sla.sync.fields import resolve_ticket_fields

from tests.conftest import unpaced_yaml
from tests.worker_fixtures import point_cli_at


def field(fid: int, title: str, active: bool = True) -> dict[str, Any]:
    return {"id": fid, "title": title, "active": active, "type": "text"}


@pytest.mark.parametrize(
    ("fields", "wanted", "ids", "problem"),
    [
        ([field(1, "SLA due")], {"due": "SLA due"}, {"due": 1}, None),
        # An inactive field of the same title is not a candidate.
        (
            [field(1, "SLA due", active=False), field(2, "SLA due")],
            {"due": "SLA due"},
            {"due": 2},
            None,
        ),
        ([field(1, "SLA due", active=False)], {"due": "SLA due"}, {}, "no active field titled"),
        ([field(1, "SLA due"), field(2, "SLA due")], {"due": "SLA due"}, {}, "(ids 1, 2)"),
        # Pinned by id: titles do not matter.
        ([field(1, "SLA due"), field(2, "SLA due")], {"due": 2}, {"due": 2}, None),
        ([field(1, "SLA due")], {"due": 7}, {}, "no active field has id 7"),
        ([], {"due": "SLA due"}, {}, "no active field titled 'SLA due'"),
    ],
)
def test_ticket_fields_are_resolved_or_the_problem_is_named(
    fields: list[dict[str, Any]],
    wanted: dict[str, str | int],
    ids: dict[str, int],
    problem: str | None,
) -> None:
    found, problems = resolve_ticket_fields(fields, wanted)
    assert found == ids
    if problem is None:
        assert problems == []
    else:
        assert len(problems) == 1 and problem in problems[0]


def test_run_refuses_to_start_on_an_account_not_set_up(
    sandbox: SandboxServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    point_cli_at(monkeypatch, sandbox, tmp_path / "state.sqlite3")
    config = unpaced_yaml(tmp_path)
    audits = len(sandbox.sandbox.account.audits)
    assert main(["run", "--once", "--config", str(config)]) == 5
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "no active field titled 'SLA response due'" in err
    assert "Run `zendesk-sla setup`" in err
    assert len(sandbox.sandbox.account.audits) == audits  # nothing was written
    assert main(["setup", "--config", str(config)]) == 0
    assert main(["run", "--once", "--config", str(config)]) == 0


def test_setup_says_clearly_when_the_token_is_not_an_admins(
    sandbox: SandboxServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    account = sandbox.sandbox.account
    assert account.api_user_id is not None
    account.users[account.api_user_id].role = "agent"
    point_cli_at(monkeypatch, sandbox, tmp_path / "state.sqlite3")
    fields = len(account.fields)
    assert main(["setup", "--config", str(unpaced_yaml(tmp_path))]) == 5
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert f"the API token belongs to {API_EMAIL}, whose role is agent" in err
    assert len(account.fields) == fields  # nothing created
