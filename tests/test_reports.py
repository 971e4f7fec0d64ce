"""Reports from the worker's state after a real cycle against the sandbox."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from zendesk_sla import reports
from zendesk_sla.cli import main
from zendesk_sla.sandbox.server import SandboxServer

from tests.conftest import CONFIG
from tests.worker_fixtures import AppFactory


@pytest.fixture
def state(make_app: AppFactory, tmp_path: Path) -> Path:
    app = make_app()
    worker = app.worker()
    worker.run_cycle()
    worker.run_sweep()
    app.close()
    return tmp_path / "state.sqlite3"


def run(capsys: pytest.CaptureFixture[str], state: Path, *args: str) -> tuple[int, str]:
    code = main(["report", *args, "--state", str(state), "--config", str(CONFIG)])
    return code, capsys.readouterr().out


def test_quota_report_matches_the_ledger(
    state: Path, capsys: pytest.CaptureFixture[str], sandbox: SandboxServer
) -> None:
    code, out = run(capsys, state, "quota", "--format", "json")
    rows = json.loads(out)
    assert code == 0
    assert rows
    for row in rows:
        if row["included"] is not None:
            assert row["remaining"] == row["included"] - row["used"]
    counted = sum("sla_quota_counted" in t.tags for t in sandbox.sandbox.account.tickets.values())
    assert sum(r["used"] for r in rows) >= counted - 5  # closed tickets keep no tags


def test_contacts_report_flags_over_cap_and_not_set_up(
    state: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(capsys, state, "contacts", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    states = {r["state"] for r in rows}
    assert code == 0
    assert "not set up" in states
    assert "no support plan" in states
    for r in rows:
        if r["state"] == "over cap":
            assert int(r["authorized"]) > int(r["cap"])


def test_sla_report_html_has_a_chart_and_needs_no_server(
    state: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    page = tmp_path / "sla.html"
    code, _ = run(capsys, state, "sla", "--format", "html", "--output", str(page))
    text = page.read_text(encoding="utf-8")
    assert code == 0
    assert "<svg" in text
    assert 'class="met"' in text
    for fetch in ("src=", "href=", "<script", "<link", "@import"):
        assert fetch not in text  # nothing to fetch: the page works from a file


def test_sla_report_table_filters_by_month(state: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out = run(capsys, state, "sla", "--format", "json")
    months = {r["month"] for r in json.loads(out)}
    one = sorted(months)[0]
    _, filtered = run(capsys, state, "sla", "--format", "json", "--month", one)
    assert {r["month"] for r in json.loads(filtered)} == {one}


def test_report_without_state_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["report", "quota", "--state", str(tmp_path / "none.sqlite3"), "--config", str(CONFIG)]
    )
    assert code == 2
    assert "no worker state" in capsys.readouterr().err


def test_render_table_aligns_columns() -> None:
    text = reports.render([{"a": 1, "bb": None}, {"a": 22, "bb": "x"}], "table", "")
    assert text.splitlines() == ["a   bb", "--  --", "1   - ", "22  x "]


def test_reports_are_safe_for_spreadsheets_and_browsers() -> None:
    from zendesk_sla.reports import render

    rows = [{"organization": "=cmd|' /C calc'!A0", "plan": "<script>alert(1)</script>", "n": -3}]
    csv_text = render(rows, "csv", "t")
    assert "'=cmd|" in csv_text and "\n=cmd" not in csv_text
    assert ",-3" in csv_text  # numbers stay numbers
    page = render(rows, "html", "<b>t</b>")
    assert "<script>" not in page and "&lt;script&gt;" in page
