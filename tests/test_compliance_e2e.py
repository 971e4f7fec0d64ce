"""The compliance report on the sample account, checked against a recount from the tickets.

The recount reads the sandbox's tickets and audits (what Zendesk holds), runs
the naive reference clocks on them and counts per organization and severity
by hand; only the plan, severity and eligibility are taken from the worker.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

import pytest
from zendesk_sla.cli import main
from zendesk_sla.sandbox.account import Account
from zendesk_sla.sandbox.serve import Clock
from zendesk_sla.sandbox.server import SandboxServer

from tests import reference_clocks as ref
from tests.conftest import CONFIG
from tests.test_sync_e2e import run_until_settled
from tests.worker_fixtures import AppFactory


def history_events(account: Account, ticket_id: int) -> list[ref.Event]:
    """A sandbox ticket's history as the reference clocks read it."""
    events = []
    for audit in account.audits_by_ticket.get(ticket_id, []):
        at = datetime.fromtimestamp(audit.timestamp, UTC)
        for child in audit.children:
            if child["event_type"] == "Change" and "status" in child:
                events.append(ref.Event(at, status=child["status"]))
            elif child["event_type"] == "Comment":
                author = account.users[child["author_id"]]
                if audit.via == "rule" or author.id == account.api_user_id:
                    kind = "trigger"
                elif not child["public"]:
                    kind = "private"
                else:
                    kind = author.role if author.role in ("agent", "admin") else "customer"
                events.append(ref.Event(at, comment=kind))
    return events


def recount(account: Account, judged: list[tuple[int, str, str]], now: datetime) -> dict:
    """(ticket id, plan, severity) -> per organization and per severity, met/breached counts."""
    tally: dict[tuple[str, object], Counter[str]] = defaultdict(Counter)
    for ticket_id, plan, severity in judged:
        ticket = account.tickets[ticket_id]
        created = datetime.fromtimestamp(ticket.created_at, UTC)
        events = history_events(account, ticket_id)
        third = "sla_third_party" in ticket.tags
        for kind in ("response", "resolution"):
            verdict = ref.evaluate(plan, severity, kind, created, events, now, third_party=third)
            for key in (("org", ticket.organization_id), ("severity", severity)):
                tally[key][f"{kind}_{verdict.state}"] += 1
    return tally


@pytest.fixture
def settled(make_app: AppFactory, clock: Clock) -> AppFactory:
    app = make_app()
    run_until_settled(app, clock)
    return make_app


def _report(capsys: pytest.CaptureFixture[str], state: Path, by: str) -> dict:
    assert main(["report", "compliance", "--by", by, "--format", "json", "--state", str(state),
                 "--config", str(CONFIG)]) == 0  # fmt: skip
    return json.loads(capsys.readouterr().out)


def test_rates_per_organization_and_severity_match_a_recount_from_the_tickets(
    settled: AppFactory,
    sandbox: SandboxServer,
    clock: Clock,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    account = sandbox.sandbox.account
    now = datetime.fromtimestamp(clock(), UTC)
    monkeypatch.setattr("zendesk_sla.cli.reports.datetime", _Frozen.at(now))
    from zendesk_sla.store import StateStore

    store = StateStore(str(tmp_path / "state.sqlite3"))
    judged = [
        (a.ticket_id, a.plan, a.severity)
        for a in store.applied_rows()
        if a.eligible and a.plan and a.severity and a.ticket_id in account.tickets
    ]
    store.close()
    assert len(judged) > 50
    expected = recount(account, judged, now)
    names = {o.id: o.name for o in account.organizations.values()}

    by_org = _report(capsys, tmp_path / "state.sqlite3", "organization")
    by_severity = _report(capsys, tmp_path / "state.sqlite3", "severity")
    assert by_org["total"]["tickets"] == len(judged)
    checked = 0
    for rows, dimension, label in (
        (by_org["groups"], "org", lambda key: names[key] if key else "-"),
        (by_severity["groups"], "severity", lambda key: key),
    ):
        seen = {row[dimension if dimension == "severity" else "organization"]: row for row in rows}
        for (dim, key), counts in expected.items():
            if dim != dimension:
                continue
            row = seen[label(key)]
            for kind in ("response", "resolution"):
                met, breached = counts[f"{kind}_met"], counts[f"{kind}_breached"]
                over = counts[f"{kind}_over_target"]
                assert (
                    row[f"{kind}_met"],
                    row[f"{kind}_breached"],
                    row[f"{kind}_over_target"],
                ) == (
                    met,
                    breached,
                    over,
                ), (dim, key, kind)
                judged_n = met + breached + over
                rate = round(met / judged_n, 4) if judged_n else None
                assert row[f"{kind}_met_rate"] == rate
                checked += 1
    assert checked >= 8
    at_risk = by_org["at_risk_now"]
    assert all(r["state"] in ("at_risk", "due_passed") for r in at_risk)


class _Frozen(datetime):
    """`datetime.now` at the sandbox's clock, for the report's "at risk now"."""

    moment: datetime

    @classmethod
    def at(cls, moment: datetime) -> type[_Frozen]:
        return type("Frozen", (cls,), {"moment": moment})

    @classmethod
    def now(cls, tz: object = None) -> _Frozen:  # type: ignore[override]
        return cls.moment  # type: ignore[return-value]
