"""A contract change on the sample account: the past keeps its verdicts unless the lead asks.

Re-evaluating reads the worker's state only (no export request) and writes only
the tickets whose tags, fields or notes change.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from zendesk_sla.cli import main
from zendesk_sla.config import Config, load_config
from zendesk_sla.sandbox.serve import Clock
from zendesk_sla.sandbox.server import SandboxServer

from tests import reference_clocks as ref
from tests.test_compliance_e2e import history_events
from tests.test_contract_versions import versioned
from tests.test_sync_e2e import run_until_settled
from tests.worker_fixtures import AppFactory, notes_by_ticket, point_cli_at

TIGHTER = {  # every plan with an SLA answers and resolves in much less time
    plan: {"response": {"blocker": "1h", "critical": "1h", "major": "1h"}}
    for plan in ("plus", "standard", "company", "enterprise")
}


Verdicts = dict[int, tuple[str | None, str | None]]  # ticket -> (response, resolution)
Changed = tuple[AppFactory, Path, Verdicts]  # the app factory, the changed YAML, verdicts before


def _config(path: Path) -> Config:
    cfg = load_config(path)
    cfg.raw.sync.__dict__.update(
        initial_lookback_days=0,
        job_poll_interval_seconds=0.01,
        note_settle_seconds=0,
        incremental_exports_per_minute=0,
    )
    return cfg


def _verdicts(app_store: object) -> Verdicts:
    return {
        a.ticket_id: (a.response_state, a.resolution_state)
        for a in app_store.applied_rows()  # type: ignore[attr-defined]
    }


@pytest.fixture
def changed(make_app: AppFactory, clock: Clock, tmp_path: Path) -> Changed:
    app = make_app()
    run_until_settled(app, clock)
    before = _verdicts(app.store)
    app.close()
    tomorrow = datetime.fromtimestamp(clock(), UTC).astimezone(ZoneInfo("Europe/Madrid"))
    effective = (tomorrow + timedelta(days=1)).date().isoformat()
    path = versioned(tmp_path, {"effective": effective, "plans": TIGHTER})
    return make_app, path, before


@pytest.fixture
def changed_yaml(
    changed: Changed, sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """The changed YAML's path, with the CLI pointed at the sandbox and the settled state."""
    point_cli_at(monkeypatch, sandbox, tmp_path / "state.sqlite3")
    return changed[1]


def test_a_new_version_leaves_every_verdict_and_writes_nothing(
    changed: Changed,
    sandbox: SandboxServer,
) -> None:
    make_app, path, before = changed
    audits = len(sandbox.sandbox.account.audits)
    app = make_app(config=_config(path), provisioned=False)
    summary = app.worker().run_reevaluate()
    # Every ticket was judged under the terms still in force for it: only the closed ones
    # the first run never decided are decided now.
    assert summary.error is None and summary.evaluated == len(_verdicts(app.store)) - len(before)
    everything = app.worker().run_reevaluate(everything=True)
    assert everything.evaluated >= len(before)
    after = _verdicts(app.store)
    assert {tid: after[tid] for tid in before} == before
    assert summary.written == everything.written == 0
    assert len(sandbox.sandbox.account.audits) == audits
    exports = [k for k in app.session.meter.requests if "incremental" in k]
    assert exports == [], "re-evaluating reads the state, not Zendesk's export"


def test_rejudging_changes_verdicts_in_the_state_and_notes_open_tickets_once(
    changed: Changed,
    sandbox: SandboxServer,
) -> None:
    make_app, path, before = changed
    cfg = _config(path)
    cfg.policy = cfg.policy.latest()
    app = make_app(config=cfg, provisioned=False)
    summary = app.worker().run_reevaluate()
    after = _verdicts(app.store)
    moved = [tid for tid in before if after.get(tid) != before[tid]]
    assert moved, "1h targets breach tickets that met the old ones"
    account = sandbox.sandbox.account
    done = [t for t in moved if account.tickets[t].status in ("solved", "closed")]
    assert done, "finished tickets are re-judged when the lead asks"
    closed = {t for t, ticket in account.tickets.items() if ticket.status == "closed"}
    assert any(after.get(t) for t in closed), "closed tickets are judged in the state"
    notes = notes_by_ticket(sandbox)
    termed = {tid for tid, keys in notes.items() if any(k.startswith("sla-terms:") for k in keys)}
    assert termed and not termed & closed  # Zendesk refuses changes to closed tickets
    assert summary.written <= summary.evaluated
    again = app.worker().run_reevaluate()
    assert again.written == 0  # nothing left to change: no note twice
    assert notes_by_ticket(sandbox) == notes


def test_the_dry_run_prints_old_to_new_and_compliance_before_and_after(
    changed_yaml: Path, sandbox: SandboxServer, capsys: pytest.CaptureFixture[str]
) -> None:
    path = changed_yaml
    audits = len(sandbox.sandbox.account.audits)
    assert main(["reevaluate", "--dry-run", "--config", str(path)]) == 0
    kept = capsys.readouterr().out
    assert "Tickets whose SLA state changes: 0" in kept
    assert main(["reevaluate", "--dry-run", "--all", "--config", str(path)]) == 0
    assert "== each ticket (old -> new)" in capsys.readouterr().out  # every ticket re-decided
    assert main(["reevaluate", "--dry-run", "--rejudge", "--config", str(path)]) == 0
    out = capsys.readouterr().out
    assert "response: met -> breached" in out
    assert "Compliance, response:" in out and "% met of" in out
    assert "response_due: 20" in out and " -> 20" in out
    assert len(sandbox.sandbox.account.audits) == audits  # a dry run writes nothing


def test_a_version_from_a_month_ago_re_judges_only_the_tickets_created_since(
    make_app: AppFactory, clock: Clock, tmp_path: Path, sandbox: SandboxServer
) -> None:
    app = make_app()
    run_until_settled(app, clock)
    before = {a.ticket_id: a for a in app.store.applied_rows()}
    app.close()
    today = datetime.fromtimestamp(clock(), UTC).astimezone(ZoneInfo("Europe/Madrid"))
    effective = today - timedelta(days=30)
    start = effective.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()
    path = versioned(tmp_path, {"effective": effective.date().isoformat(), "plans": TIGHTER})
    again = make_app(config=_config(path), provisioned=False)
    summary = again.worker().run_reevaluate()
    after = {a.ticket_id: a for a in again.store.applied_rows()}
    recent = {t for t, a in before.items() if a.created_at >= start}
    assert recent and summary.evaluated >= len(recent)
    assert summary.evaluated < len(after)  # the older history was not touched
    for ticket_id, old in before.items():
        if ticket_id not in recent:
            assert after[ticket_id] == old  # same verdict, same record
    moved = [t for t in recent if after[t].response_due != before[t].response_due]
    assert moved, "1h targets move the dues of tickets created since the version"
    # The new dues, as the naive reference clocks read the sandbox's own history with a
    # one-hour response target.
    account = sandbox.sandbox.account
    now = datetime.fromtimestamp(clock(), UTC)
    checked = 0
    for ticket_id in recent:
        a = after[ticket_id]
        if not a.eligible or a.plan not in TIGHTER or a.severity not in TIGHTER[a.plan]["response"]:
            continue
        ticket = account.tickets[ticket_id]
        created = datetime.fromtimestamp(ticket.created_at, UTC)
        events = history_events(account, ticket_id)
        verdict = ref.evaluate(a.plan, a.severity, "response", created, events, now, target=3600)
        if verdict.due is not None:
            assert a.response_due == f"{verdict.due:%Y-%m-%dT%H:%M:%SZ}", ticket_id
            checked += 1
    assert checked >= 5


def test_a_written_rejudging_tells_which_verdicts_moved_without_a_write(
    changed_yaml: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["reevaluate", "--rejudge", "--config", str(changed_yaml)]) == 0
    lines = {
        line.split(":")[0]: line.split(":", 1)[1].strip()
        for line in capsys.readouterr().out.splitlines()
        if line.startswith(("Tickets whose SLA state", "Judged tickets whose verdict"))
    }
    moved = int(lines["Tickets whose SLA state changes"])
    silent = int(lines["Judged tickets whose verdict changes with no write"])
    # Every ticket judged before is open or solved here, so each moved verdict was written;
    # only closed tickets (never judged by the first run) could move without a write.
    assert moved > 0 and silent == 0


def test_a_ledger_is_recounted_only_when_its_quota_terms_changed(
    make_app: AppFactory, clock: Clock, tmp_path: Path
) -> None:
    app = make_app()
    run_until_settled(app, clock)
    org, used = app.store.db.execute(
        "SELECT organization_id, max(used) FROM quota_years GROUP BY organization_id "
        "HAVING max(used) > 0 ORDER BY organization_id LIMIT 1"
    ).fetchone()
    with app.store.transaction():  # a mark only a recount would wipe out
        app.store.db.execute("UPDATE quota_years SET used = 999 WHERE organization_id = ?", (org,))
    app.close()
    month_ago = datetime.fromtimestamp(clock(), UTC) - timedelta(days=30)
    effective = month_ago.date().isoformat()

    def ledger_after(plans: dict[str, object], where: Path) -> int:
        path = versioned(where, {"effective": effective, "plans": plans})
        again = make_app(config=_config(path), provisioned=False)
        summary = again.worker().run_reevaluate(everything=True)
        assert summary.error is None and summary.evaluated > 0
        row = again.store.db.execute(
            "SELECT max(used) FROM quota_years WHERE organization_id = ?", (org,)
        ).fetchone()
        again.close()
        return int(row[0])

    (tmp_path / "targets").mkdir()
    (tmp_path / "quota").mkdir()
    assert ledger_after(TIGHTER, tmp_path / "targets") == 999  # targets never move a ledger
    quotas = {p: {"tickets_per_year": 1} for p in ("standard", "company", "enterprise")}
    assert ledger_after(quotas, tmp_path / "quota") == used


def test_the_ledgers_a_targets_only_version_leaves_are_those_a_full_recount_gives(
    make_app: AppFactory, clock: Clock, tmp_path: Path
) -> None:
    # The skip rests on "targets never move a ledger": recounting every organization the
    # plain way, under the new terms, must find exactly the ledgers that were left alone.
    app = make_app()
    run_until_settled(app, clock)
    app.close()
    effective = (datetime.fromtimestamp(clock(), UTC) - timedelta(days=30)).date().isoformat()
    path = versioned(tmp_path, {"effective": effective, "plans": TIGHTER})
    again = make_app(config=_config(path), provisioned=False)
    worker = again.worker()
    assert worker.run_reevaluate(everything=True).error is None

    def ledgers() -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
        db = again.store.db
        return (
            list(db.execute("SELECT * FROM quota ORDER BY ticket_id")),
            list(db.execute("SELECT * FROM quota_years ORDER BY organization_id, year_start")),
        )

    kept = ledgers()
    assert kept[0] and kept[1]
    worker.evaluator.quotas(again.store.all_org_ids())  # every organization, recounted
    assert ledgers() == kept


def test_the_dry_run_shows_organization_fields_and_pages_that_would_change(
    make_app: AppFactory,
    clock: Clock,
    sandbox: SandboxServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A quota change moved organizations' fields and pages, and the dry run did not say."""
    import yaml

    from tests.conftest import CONFIG

    app = make_app()
    run_until_settled(app, clock)
    app.close()
    data = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    data["plans"]["standard"]["tickets_per_year"] = 60
    path = tmp_path / "more.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    point_cli_at(monkeypatch, sandbox, tmp_path / "state.sqlite3")
    audits = len(sandbox.sandbox.account.audits)
    assert main(["reevaluate", "--dry-run", "--config", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    moved = [line for line in out if line.startswith("organization ") and "quota_included" in line]
    assert moved and all("quota_included: 50 -> 60" in line for line in moved)
    assert any(line.startswith("organization ") and "  page: " in line for line in out)
    assert len(sandbox.sandbox.account.audits) == audits
