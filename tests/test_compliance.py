"""Compliance counting: what a lead reads per organization, plan, severity and month."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from zendesk_sla.core.compliance import Filters, TicketVerdict, compliance

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def verdict(
    tid: int,
    response: str | None,
    resolution: str | None = None,
    *,
    org: int = 1,
    severity: str = "major",
    month: str = "2026-11",
    due: datetime | None = None,
) -> TicketVerdict:
    return TicketVerdict(
        tid,
        org,
        f"Org {org}",
        "company",
        severity,
        month,
        {"response": response, "resolution": resolution},
        {"response": due, "resolution": None},
    )


@pytest.mark.parametrize(
    ("states", "met", "breached", "over", "open_", "rate"),
    [
        (["met", "met", "breached", "met"], 3, 1, 0, 0, 0.75),
        (["met", "over_target"], 1, 0, 1, 0, 0.5),  # best effort passed is not met
        (["running", "at_risk", "paused"], 0, 0, 0, 3, None),  # nothing judged: no rate
        (["none", "exempt", "met"], 1, 0, 0, 0, 1.0),  # no target: neither judged nor open
        ([], 0, 0, 0, 0, None),
    ],
)
def test_response_counts_and_met_rate(
    states: list[str], met: int, breached: int, over: int, open_: int, rate: float | None
) -> None:
    report = compliance([verdict(i, s) for i, s in enumerate(states)], (), NOW)
    counts = report.total.counts["response"]
    assert (counts.met, counts.breached, counts.over_target, counts.open) == (
        met,
        breached,
        over,
        open_,
    )
    assert counts.rate("met") == rate


def test_response_and_resolution_are_counted_apart() -> None:
    report = compliance([verdict(1, "met", "breached"), verdict(2, "breached", "met")], (), NOW)
    assert report.total.counts["response"].met == 1
    assert report.total.counts["resolution"].met == 1
    assert report.total.breached_ids == {"response": (2,), "resolution": (1,)}


def test_groups_by_organization_and_severity_with_breached_ids() -> None:
    rows = [
        verdict(1, "met", org=1, severity="blocker"),
        verdict(2, "breached", org=1, severity="blocker"),
        verdict(3, "breached", org=2, severity="major"),
        verdict(4, "met", org=1, severity="major"),
    ]
    report = compliance(rows, ("organization", "severity"), NOW)
    keys = [g.key for g in report.groups]
    assert keys == [("Org 1", "blocker"), ("Org 1", "major"), ("Org 2", "major")]
    assert report.groups[0].breached_ids["response"] == (2,)
    assert report.groups[2].counts["response"].rate("breached") == 1.0


def test_filters_keep_one_organization_and_one_month() -> None:
    rows = [
        verdict(1, "met", org=1, month="2026-10"),
        verdict(2, "breached", org=1, month="2026-11"),
        verdict(3, "breached", org=2, month="2026-11"),
    ]
    report = compliance(rows, ("month",), NOW, Filters(org_id=1, month="2026-11"))
    assert report.total.tickets == 1
    assert report.total.breached_ids["response"] == (2,)


def test_year_filter_keeps_the_months_of_that_year() -> None:
    rows = [verdict(1, "met", month="2025-12"), verdict(2, "met", month="2026-01")]
    assert compliance(rows, (), NOW, Filters(year=2026)).total.tickets == 1


def test_at_risk_now_lists_running_clocks_at_risk_or_past_due_soonest_first() -> None:
    later, sooner = datetime(2026, 11, 27, tzinfo=UTC), datetime(2026, 11, 26, 15, tzinfo=UTC)
    passed = datetime(2026, 11, 26, 9, tzinfo=UTC)
    rows = [
        verdict(1, "at_risk", due=later),
        verdict(2, "at_risk", due=sooner),
        verdict(3, "running", due=passed),  # the desk was closed: breaches at opening
        verdict(4, "running", due=later),  # not at risk yet
        verdict(5, "met", due=passed),  # done
    ]
    found = compliance(rows, (), NOW).at_risk
    assert [(a.ticket_id, a.state) for a in found] == [
        (3, "due_passed"),
        (2, "at_risk"),
        (1, "at_risk"),
    ]


def test_an_unknown_grouping_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot group by team"):
        compliance([], ("team",), NOW)


def test_at_risk_rows_show_the_due_in_the_teams_zone_and_in_utc() -> None:
    from zendesk_sla.core.compliance import AtRisk, Compliance
    from zendesk_sla.reports.compliance import at_risk_rows

    due = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
    total = compliance([], (), NOW).total
    report = Compliance(
        (), (), total, (AtRisk(9, "Acme", "company", "major", "response", due, "at_risk"),)
    )
    [row] = at_risk_rows(report, "Europe/Madrid")
    assert (row["due_local"], row["due_utc"]) == ("2026-11-26 16:00", "2026-11-26T15:00:00Z")
    assert (row["ticket_id"], row["clock"], row["state"]) == (9, "response", "at_risk")
