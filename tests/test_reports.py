"""Reports from the worker's state after a real cycle against the sandbox."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from zendesk_sla.cli import main
from zendesk_sla.reports.render import render
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


def test_compliance_html_has_charts_with_axes_and_needs_no_server(
    state: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    page = tmp_path / "sla.html"
    code, _ = run(capsys, state, "compliance", "--format", "html", "--output", str(page))
    text = page.read_text(encoding="utf-8")
    assert code == 0
    assert text.count("<svg") >= 6  # response and resolution by organization, severity, month
    assert 'class="met"' in text and "100 %" in text  # bars and their axis
    assert "#0072B2" in text and "#D55E00" in text  # Okabe-Ito blue and vermillion
    for fetch in ("src=", "href=", "<script", "<link", "@import"):
        assert fetch not in text  # nothing to fetch: the page works from a file


def test_compliance_report_filters_by_month(
    state: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out = run(capsys, state, "compliance", "--format", "json")
    months = {r["month"] for r in json.loads(out)["groups"]}
    one = sorted(months)[0]
    _, filtered = run(capsys, state, "sla", "--format", "json", "--month", one)
    assert {r["month"] for r in json.loads(filtered)["groups"]} == {one}


def test_compliance_csv_has_response_and_resolution_apart_with_rates_and_ids(
    state: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out = run(capsys, state, "compliance", "--by", "plan", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {"plan", "response_met_rate", "resolution_breached", "resolution_breached_ids"} <= set(
        rows[0]
    )
    for row in rows:
        ids = row["resolution_breached_ids"].split()
        assert len(ids) == int(row["resolution_breached"])


def test_an_empty_period_says_so_instead_of_a_blank_page(
    state: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, page = run(capsys, state, "compliance", "--format", "html", "--month", "1999-01")
    assert "No SLA ticket matches these filters" in page
    _, table = run(capsys, state, "compliance", "--month", "1999-01")
    assert "(no rows)" in table


def test_at_risk_report_lists_due_times_in_local_and_utc(
    state: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(capsys, state, "at-risk", "--format", "json")
    assert code == 0
    for row in json.loads(out):
        assert row["state"] in ("at_risk", "due_passed")
        assert row["due_utc"].endswith("Z") and len(row["due_local"]) == 16


def test_a_bad_grouping_is_one_clear_line(state: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["report", "compliance", "--by", "team", "--state", str(state), "--config",
                 str(CONFIG)])  # fmt: skip
    assert code == 2
    assert "--by: cannot group by team" in capsys.readouterr().err


def test_report_without_state_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["report", "quota", "--state", str(tmp_path / "none.sqlite3"), "--config", str(CONFIG)]
    )
    assert code == 2
    assert "no worker state" in capsys.readouterr().err


def test_render_table_aligns_columns() -> None:
    text = render([{"a": 1, "bb": None}, {"a": 22, "bb": "x"}], "table", "")
    assert text.splitlines() == ["a   bb", "--  --", "1   - ", "22  x "]


def test_reports_are_safe_for_spreadsheets_and_browsers() -> None:
    from zendesk_sla.reports.render import render

    rows = [{"organization": "=cmd|' /C calc'!A0", "plan": "<script>alert(1)</script>", "n": -3}]
    csv_text = render(rows, "csv", "t")
    assert "'=cmd|" in csv_text and "\n=cmd" not in csv_text
    assert ",-3" in csv_text  # numbers stay numbers
    page = render(rows, "html", "<b>t</b>")
    assert "<script>" not in page and "&lt;script&gt;" in page
