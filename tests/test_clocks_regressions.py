"""Named cases where the first clocks were wrong (POLICY.md section 4)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from zendesk_sla.core.clocks import sla_clocks
from zendesk_sla.core.policy import Policy

from tests.helpers import madrid, timeline

# Monday 2 February 2026: an ordinary working day in Madrid.
REPLY_THEN_OPEN = timeline(
    "2026-02-02 10:00",
    ("2026-02-02 11:00", "open"),
    ("2026-02-03 12:00", "solved"),
    replies=("2026-02-02 11:00",),
)


def test_reply_then_open_then_solved_next_day_is_met(policy: Policy) -> None:
    clocks = sla_clocks(
        policy, "enterprise", "blocker", REPLY_THEN_OPEN, madrid("2026-02-04 09:00")
    )
    assert clocks.response.state == "met"
    assert clocks.response.elapsed_seconds == 3600


def test_reply_then_pending_then_open_is_met(policy: Policy) -> None:
    t = timeline(
        "2026-02-02 10:00",
        ("2026-02-02 11:00", "pending"),
        ("2026-02-05 09:00", "open"),
        replies=("2026-02-02 11:00",),
    )
    clocks = sla_clocks(policy, "enterprise", "blocker", t, madrid("2026-02-06 09:00"))
    assert (clocks.response.state, clocks.response.elapsed_seconds) == ("met", 3600)


@pytest.mark.parametrize("now", ["2026-02-02 11:30", "2026-02-03 13:00", "2026-02-20 09:00"])
def test_the_response_verdict_never_flips_after_the_fact(policy: Policy, now: str) -> None:
    clocks = sla_clocks(policy, "enterprise", "blocker", REPLY_THEN_OPEN, madrid(now))
    assert clocks.response.state == "met"
    assert clocks.response.due == madrid("2026-02-02 12:00")


# Enterprise major: 1 business day = 12 h. Created Friday 6 Feb at 21:00 (after hours):
# the clock starts Monday 08:00 and the target is due Monday 20:00, a closing time.
AFTER_HOURS = "2026-02-06 21:00"


@pytest.mark.parametrize(
    ("now", "state"),
    [
        ("2026-02-09 19:59", "at_risk"),
        ("2026-02-09 20:00", "at_risk"),  # exactly the target: not more than it
        ("2026-02-09 21:00", "at_risk"),  # the evening after the due time
        ("2026-02-10 07:59", "at_risk"),  # the night, until the next opening
        ("2026-02-10 08:00", "at_risk"),
        ("2026-02-10 08:01", "breached"),  # the first business time after the due time
    ],
)
def test_a_due_time_at_closing_breaches_only_after_the_next_opening(
    policy: Policy, now: str, state: str
) -> None:
    clocks = sla_clocks(policy, "enterprise", "major", timeline(AFTER_HOURS), madrid(now))
    assert clocks.response.due == madrid("2026-02-09 20:00")
    assert clocks.response.state == state


def test_a_reply_before_the_next_opening_meets_a_due_time_at_closing(policy: Policy) -> None:
    t = timeline(AFTER_HOURS, ("2026-02-10 07:30", "open"), replies=("2026-02-10 07:30",))
    clocks = sla_clocks(policy, "enterprise", "major", t, madrid("2026-02-11 12:00"))
    assert clocks.response.state == "met"


def test_a_weekend_after_a_friday_closing_due_time_is_not_a_breach(policy: Policy) -> None:
    # Created Thursday 21:00, 12 h target: due Friday 20:00; the weekend is not a breach.
    t = timeline("2026-02-05 21:00")
    for now in ("2026-02-06 20:30", "2026-02-07 12:00", "2026-02-08 23:00"):
        assert sla_clocks(policy, "enterprise", "major", t, madrid(now)).response.state == "at_risk"
    late = sla_clocks(policy, "enterprise", "major", t, madrid("2026-02-09 08:00:01"))
    assert late.response.state == "breached"


SILENT_SOLVE = timeline("2026-02-02 10:00", ("2026-02-02 10:30", "solved"))


def test_a_solve_before_any_reply_stops_the_response_clock(policy: Policy) -> None:
    clocks = sla_clocks(policy, "enterprise", "blocker", SILENT_SOLVE, madrid("2026-02-10 10:00"))
    assert clocks.response.state == "met"
    assert clocks.response.stopped_at == madrid("2026-02-02 10:30")


def test_with_the_setting_off_a_silent_solve_leaves_the_response_unmet(policy: Policy) -> None:
    strict = replace(policy, solve_stops_response=False)
    clocks = sla_clocks(strict, "enterprise", "blocker", SILENT_SOLVE, madrid("2026-02-10 10:00"))
    assert clocks.response.state == "paused"  # solved: waiting, never answered


@pytest.mark.parametrize("now", ["2026-02-03 12:00", "2026-02-03 19:00", "2026-02-03 19:59"])
def test_a_best_effort_target_is_never_at_risk(policy: Policy, now: str) -> None:
    # Enterprise trivial response: best effort after 2 days (24 business hours).
    clocks = sla_clocks(policy, "enterprise", "trivial", timeline("2026-02-02 08:00"), madrid(now))
    assert clocks.response.state == "running"


def test_a_best_effort_target_passed_is_over_target_never_breached(policy: Policy) -> None:
    t = timeline("2026-02-02 08:00")
    clocks = sla_clocks(policy, "enterprise", "trivial", t, madrid("2026-02-06 12:00"))
    assert clocks.response.state == "over_target"
