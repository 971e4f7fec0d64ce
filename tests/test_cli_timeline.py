"""`due --timeline` and `explain --timeline`: one ticket's history evaluated, as a lead runs it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from zendesk_sla.cli import main

from tests.conftest import CONFIG, ROOT

EXAMPLE = ROOT / "docs" / "examples" / "timeline.json"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main([*args, "--config", str(CONFIG)])
    out, err = capsys.readouterr()
    return code, out, err


def test_due_timeline_reads_a_reply_then_pending_then_solve_as_met(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "due", "--timeline", str(EXAMPLE))
    data = json.loads(out)
    assert code == 0
    assert data["response"]["state"] == "met"
    assert data["response"]["elapsed_seconds"] == 3600
    assert data["response"]["stopped_at"] == "2026-02-02T10:00:00Z"
    assert data["resolution"]["pauses"] == [
        {"from": "2026-02-02T14:00:00Z", "to": "2026-02-03T08:30:00Z", "status": "pending"}
    ]
    assert data["resolution"]["state"] == "breached"  # 7h30m of business time for a 4 h target


def test_explain_timeline_says_which_comments_count(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "explain", "--timeline", str(EXAMPLE))
    assert code == 0
    assert "automatic comment (trigger or automation: not a reply)" in out
    assert "private note (not a reply)" in out
    assert "Response: met." in out
    assert "(pending: does not count)" in out


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"plan": "enterprise"}, "severity: required key is missing"),
        (
            {"plan": "gold", "severity": "major", "created_at": "2026-02-02T10:00:00Z", "now": "x"},
            "plan: unknown plan 'gold'",
        ),
        (
            {"plan": "plus", "severity": "major", "created_at": "2026-02-02", "now": "x"},
            "created_at: '2026-02-02' has no UTC offset",
        ),
        (
            {
                "plan": "plus",
                "severity": "major",
                "created_at": "2026-02-02T10:00:00Z",
                "now": "2026-02-03T10:00:00Z",
                "statuses": [{"at": "2026-02-02T10:00:00Z", "status": "waiting"}],
            },
            "statuses.0.status: 'waiting' is not one of",
        ),
    ],
)
def test_a_bad_timeline_is_one_line_naming_the_key(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, payload: dict[str, object], message: str
) -> None:
    path = tmp_path / "t.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    code, _, err = run(capsys, "due", "--timeline", str(path))
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_explain_ticket_reads_the_worker_state(
    make_app: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    app = make_app()
    app.worker().run_cycle()
    ticket_id = next(a.ticket_id for a in app.store.applied_rows() if a.eligible)
    app.close()
    monkeypatch.setenv("ZENDESK_SLA_STATE", str(tmp_path / "state.sqlite3"))
    capsys.readouterr()
    code, out, _ = run(capsys, "explain", "--ticket", str(ticket_id))
    assert code == 0
    assert out.startswith(f"Ticket #{ticket_id}:")
    assert "Severity " in out and "Response: " in out and "Quota: " in out
    code, out, _ = run(capsys, "explain", "--ticket", str(ticket_id), "--format", "json")
    assert json.loads(out)["ticket_id"] == ticket_id
    code, _, err = run(capsys, "explain", "--ticket", "987654321")
    assert code == 1
    assert (
        err.strip()
        == "zendesk-sla explain: ticket 987654321 is not in the worker's state (run the worker)"
    )


def test_explain_timeline_walks_the_windows_and_names_the_holidays(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "t.json"
    history = {
        "plan": "standard",
        "severity": "critical",
        "created_at": "2026-12-04T16:30:00+01:00",
        "now": "2026-12-09T12:00:00+01:00",
    }
    path.write_text(json.dumps(history), encoding="utf-8")
    code, out, _ = run(capsys, "explain", "--timeline", str(path))
    assert code == 0
    assert "Fri 2026-12-04  16:30-17:00  +0h30m  (total 0h30m)" in out
    assert "Tue 2026-12-08  closed (holiday: Immaculate Conception)" in out
    assert "still to come, if it keeps running:" in out
    assert "due Wed 2026-12-09 16:30" in out
