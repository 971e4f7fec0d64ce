"""The `due`, `explain` and `check-config` commands, as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from zendesk_sla.cli import main
from zendesk_sla.sandbox.server import SandboxServer

from tests.conftest import CONFIG, unpaced_yaml
from tests.worker_fixtures import point_cli_at


def test_due_prints_utc_json(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "due",
            "--plan",
            "enterprise",
            "--severity",
            "blocker",
            "--created",
            "2026-11-27T19:30:00+01:00",
            "--config",
            str(CONFIG),
        ]
    )
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["response_due"] == "2026-11-30T08:30:00Z"
    assert out["resolution_due"] == "2026-11-30T10:30:00Z"
    assert out["response_best_effort"] is False


def test_due_for_plus_has_null_resolution(capsys: pytest.CaptureFixture[str]) -> None:
    main(
        [
            "due",
            "--plan",
            "plus",
            "--severity",
            "trivial",
            "--created",
            "2026-02-02T10:00:00Z",
            "--config",
            str(CONFIG),
        ]
    )
    out = json.loads(capsys.readouterr().out)
    assert out["resolution_due"] is None
    assert out["response_best_effort"] is True


def test_explain_shows_skipped_holiday(capsys: pytest.CaptureFixture[str]) -> None:
    main(
        [
            "explain",
            "--plan",
            "standard",
            "--severity",
            "critical",
            "--created",
            "2026-12-04T16:30:00+01:00",
            "--config",
            str(CONFIG),
        ]
    )
    out = capsys.readouterr().out
    assert "Tue 2026-12-08  closed (holiday: Immaculate Conception)" in out
    assert "Sat 2026-12-05  closed (weekend)" in out
    assert "due Wed 2026-12-09 16:30 local = 2026-12-09T15:30:00Z" in out


def test_naive_created_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "due",
            "--plan",
            "plus",
            "--severity",
            "major",
            "--created",
            "2026-02-02T10:00",
            "--config",
            str(CONFIG),
        ]
    )
    assert code == 2
    assert "no UTC offset" in capsys.readouterr().err


def test_unknown_plan_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "due",
            "--plan",
            "gold",
            "--severity",
            "major",
            "--created",
            "2026-02-02T10:00Z",
            "--config",
            str(CONFIG),
        ]
    )
    assert code == 2
    assert "unknown plan 'gold'" in capsys.readouterr().err


def test_check_config_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-config", str(CONFIG)]) == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text("timezone: Nowhere/Land\n", encoding="utf-8")
    assert main(["check-config", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "timezone: unknown time zone 'Nowhere/Land'" in err
    assert "Traceback" not in err


def test_plan_prints_each_change_once_and_writes_nothing(
    sandbox: SandboxServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    point_cli_at(monkeypatch, sandbox, tmp_path / "state.sqlite3")
    monkeypatch.setenv("ZENDESK_SLA_LOG_FORMAT", "json")
    config = unpaced_yaml(tmp_path)
    assert main(["setup", "--config", str(config)]) == 0
    capsys.readouterr()
    audits = len(sandbox.sandbox.account.audits)
    assert main(["plan", "--config", str(config)]) == 0
    lines = capsys.readouterr().out.splitlines()
    changes = [line.split()[0] for line in lines if line.startswith("#")]
    assert changes
    assert len(changes) == len(set(changes))
    assert lines[-1] == f"dry run: {len(changes)} tickets would change; nothing was written"
    assert len(sandbox.sandbox.account.audits) == audits
    # What matters first: the summary, public comments to customers apart, then the detail.
    assert lines.index("== summary") < lines.index("== each ticket (old -> new)")
    assert lines[lines.index("== summary") + 1] == f"{len(changes)} tickets would change."
    assert any(line.startswith("Public comments to customers: ") for line in lines)
    # Organization-level changes too: quota fields (old -> new) and consumption pages.
    orgs = lines[lines.index("== each organization (old -> new)") + 1 :]
    orgs = orgs[: orgs.index("== each ticket (old -> new)")]
    fields = [line for line in orgs if "quota_used: (empty) -> " in line]
    pages = [line for line in orgs if "  page: " in line]
    assert fields and pages
    assert f"Organizations whose quota fields change: {len(fields)}" in lines
    assert f"Consumption pages to publish or rewrite: {len(pages)}" in lines
    assert not sandbox.sandbox.help_center.articles  # nothing was published
