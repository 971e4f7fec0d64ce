"""SLA clocks from timelines: replies, pauses, reopenings, states."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from zendesk_sla.core.calendar import epoch
from zendesk_sla.core.clocks import sla_clocks
from zendesk_sla.core.policy import Policy
from zendesk_sla.core.timeline import Comment, StatusChange, Timeline

from tests.helpers import madrid, timeline


def test_agent_reply_before_due_meets_response(policy: Policy) -> None:
    t = timeline("2026-02-02 08:00", ("2026-02-02 09:30", "open"), replies=("2026-02-02 09:30",))
    clocks = sla_clocks(policy, "enterprise", "blocker", t, madrid("2026-02-02 12:00"))
    assert clocks.response.state == "met"
    assert clocks.response.due == madrid("2026-02-02 10:00")
    assert clocks.response.elapsed_seconds == 90 * 60


def test_no_reply_past_due_is_a_response_breach(policy: Policy) -> None:
    t = timeline("2026-02-02 08:00")
    clocks = sla_clocks(policy, "enterprise", "blocker", t, madrid("2026-02-02 10:01"))
    assert clocks.response.state == "breached"


def test_three_quarters_of_the_target_is_at_risk(policy: Policy) -> None:
    t = timeline("2026-02-02 08:00")
    clocks = sla_clocks(policy, "enterprise", "blocker", t, madrid("2026-02-02 09:30"))
    assert clocks.response.state == "at_risk"
    clocks = sla_clocks(policy, "enterprise", "blocker", t, madrid("2026-02-02 09:29"))
    assert clocks.response.state == "running"


def test_pending_time_pushes_the_due_time(policy: Policy) -> None:
    t = timeline("2026-02-02 08:00", ("2026-02-02 08:30", "pending"), ("2026-02-02 10:00", "open"))
    clocks = sla_clocks(policy, "enterprise", "blocker", t, madrid("2026-02-02 10:30"))
    assert clocks.response.due == madrid("2026-02-02 11:30")
    assert clocks.response.state == "running"


def test_while_pending_the_clock_is_paused_with_no_due_time(policy: Policy) -> None:
    t = timeline("2026-02-02 08:00", ("2026-02-02 08:30", "hold"))
    clocks = sla_clocks(policy, "enterprise", "blocker", t, madrid("2026-02-03 08:00"))
    assert clocks.response.state == "paused"
    assert clocks.response.due is None
    assert clocks.response.remaining_seconds == 90 * 60


def test_reply_by_a_trigger_or_a_private_note_is_not_a_response(policy: Policy) -> None:
    start = madrid("2026-02-02 08:00")
    t = Timeline(
        start,
        (StatusChange(epoch(start), "new"),),
        (
            Comment(epoch(start), True, "end-user"),
            Comment(epoch(madrid("2026-02-02 08:01")), True, "agent", automated=True),
            Comment(epoch(madrid("2026-02-02 08:05")), False, "agent"),
        ),
    )
    clocks = sla_clocks(policy, "enterprise", "blocker", t, madrid("2026-02-02 11:00"))
    assert clocks.response.state == "breached"


def test_opening_comment_by_an_agent_is_not_a_response(policy: Policy) -> None:
    start = madrid("2026-02-02 08:00")
    t = Timeline(
        start, (StatusChange(epoch(start), "new"),), (Comment(epoch(start), True, "agent"),)
    )
    clocks = sla_clocks(policy, "enterprise", "blocker", t, madrid("2026-02-02 09:00"))
    assert clocks.response.state == "running"


def test_an_agent_reply_in_the_same_second_as_the_creation_is_a_response(
    policy: Policy,
) -> None:
    """The opening comment is the first comment, not every comment of the creation's
    second: a reply written in that second (a macro at creation) meets the response."""
    start = madrid("2026-02-02 08:00")
    t = Timeline(
        start,
        (StatusChange(epoch(start), "new"),),
        (Comment(epoch(start), True, "end-user"), Comment(epoch(start), True, "agent")),
    )
    clocks = sla_clocks(policy, "enterprise", "blocker", t, madrid("2026-02-02 09:00"))
    assert clocks.response.state == "met"
    assert clocks.response.stopped_at == start


def test_reopened_ticket_resumes_its_resolution_clock(policy: Policy) -> None:
    t = timeline(
        "2026-02-02 08:00",
        ("2026-02-02 09:00", "solved"),
        ("2026-02-02 14:00", "open"),
        replies=("2026-02-02 08:30",),
    )
    clocks = sla_clocks(policy, "enterprise", "blocker", t, madrid("2026-02-02 15:00"))
    # 1h before the solve, 3h left from 14:00.
    assert clocks.resolution.due == madrid("2026-02-02 17:00")
    assert clocks.resolution.state == "running"


def test_final_solve_decides_resolution(policy: Policy) -> None:
    t = timeline(
        "2026-02-02 08:00",
        ("2026-02-02 09:00", "solved"),
        ("2026-02-02 14:00", "open"),
        ("2026-02-02 18:00", "solved"),
        replies=("2026-02-02 08:30",),
    )
    clocks = sla_clocks(policy, "enterprise", "blocker", t, madrid("2026-02-03 15:00"))
    assert clocks.resolution.state == "breached"  # 1h + 4h of business time > 4h
    assert clocks.resolution.stopped_at == madrid("2026-02-02 18:00")


def test_trivial_response_is_best_effort_never_breached(policy: Policy) -> None:
    t = timeline("2026-02-02 08:00")
    clocks = sla_clocks(policy, "enterprise", "trivial", t, madrid("2026-02-10 08:00"))
    assert clocks.response.state == "over_target"
    assert clocks.response.best_effort


def test_third_party_ticket_has_no_resolution_breach(policy: Policy) -> None:
    t = timeline("2026-02-02 08:00")
    clocks = sla_clocks(
        policy, "enterprise", "blocker", t, madrid("2026-02-09 08:00"), third_party=True
    )
    assert clocks.resolution.state == "exempt"
    assert clocks.response.state == "breached"


def test_plus_has_only_a_response_clock(policy: Policy) -> None:
    clocks = sla_clocks(
        policy, "plus", "blocker", timeline("2026-02-02 10:00"), madrid("2026-02-02 11:00")
    )
    assert clocks.resolution.state == "none"
    assert clocks.response.state == "running"


def test_severity_change_recomputes_from_creation(policy: Policy) -> None:
    t = timeline("2026-02-02 08:00")
    now = madrid("2026-02-02 13:00")
    assert sla_clocks(policy, "enterprise", "major", t, now).response.state == "running"
    escalated = sla_clocks(policy, "enterprise", "blocker", t, now).response
    assert escalated.state == "breached"
    assert escalated.due == madrid("2026-02-02 10:00")


# Properties: a pause never brings a due time forward; more business time never breaches less.
hours = st.integers(min_value=0, max_value=120)


@given(hours, hours, hours)
@settings(max_examples=150, deadline=None)
def test_a_pending_spell_never_brings_the_due_time_forward(
    policy: Policy, start_h: int, pause_h: int, now_h: int
) -> None:
    created = madrid("2026-02-02 08:00")
    now = created + timedelta(hours=start_h + pause_h + now_h)
    plain = Timeline(created, (StatusChange(epoch(created), "new"),))
    pause_at = created + timedelta(hours=start_h)
    resume_at = pause_at + timedelta(hours=pause_h)
    paused = Timeline(
        created,
        (
            StatusChange(epoch(created), "new"),
            StatusChange(epoch(pause_at), "pending"),
            StatusChange(epoch(resume_at), "open"),
        ),
    )
    before = sla_clocks(policy, "company", "major", plain, now).resolution
    after = sla_clocks(policy, "company", "major", paused, now).resolution
    assert before.due is not None
    assert after.due is not None
    assert after.due >= before.due
    assert after.elapsed_seconds <= before.elapsed_seconds


def test_a_plan_threshold_overrides_the_global_at_risk_ratio(policy: Policy) -> None:
    def state(p: Policy, at: str) -> str:
        return sla_clocks(p, "enterprise", "blocker", t, madrid(at)).response.state

    plans = dict(policy.plans)
    plans["enterprise"] = replace(plans["enterprise"], at_risk_ratio=0.5)
    earlier = replace(policy, plans=plans)
    t = timeline("2026-02-02 08:00")
    # blocker response: 2 business hours; half of them is 09:00
    assert state(earlier, "2026-02-02 09:00") == "at_risk"
    assert state(earlier, "2026-02-02 08:59") == "running"
    assert state(policy, "2026-02-02 09:00") == "running"


def _with_threshold(policy: Policy, plan: str, severity: str, spec: object) -> Policy:
    plans = dict(policy.plans)
    plans[plan] = replace(plans[plan], at_risk={**plans[plan].at_risk, severity: spec})
    return replace(policy, plans=plans)


def test_a_severity_threshold_as_time_before_due(policy: Policy) -> None:
    # company blocker resolution: 7 business hours from 09:00 -> due 16:00; warn 1h before
    from zendesk_sla.core.policy import Target

    warned = _with_threshold(policy, "company", "blocker", Target(1, "h"))
    t = timeline("2026-02-02 09:00")

    def state(p: Policy, at: str) -> str:
        return sla_clocks(p, "company", "blocker", t, madrid(at)).resolution.state

    assert state(warned, "2026-02-02 14:59") == "running"
    assert state(warned, "2026-02-02 15:00") == "at_risk"
    assert state(policy, "2026-02-02 14:15") == "at_risk"  # the default: 75 % of 7h


def test_a_severity_threshold_as_a_share_applies_to_that_severity_only(policy: Policy) -> None:
    early = _with_threshold(policy, "company", "major", 0.25)
    t = timeline("2026-02-02 09:00")  # major response: 2 days of 9h = 18h; 25 % = 4h30
    major = sla_clocks(early, "company", "major", t, madrid("2026-02-02 13:30")).response
    blocker = sla_clocks(early, "company", "blocker", t, madrid("2026-02-02 11:30")).response
    assert major.state == "at_risk"
    assert blocker.state == "running"  # blocker keeps 75 % of 4h = 3h


def test_a_time_before_due_longer_than_the_target_is_at_risk_from_the_start(
    policy: Policy,
) -> None:
    from zendesk_sla.core.policy import Target

    warned = _with_threshold(policy, "company", "blocker", Target(2, "d"))
    t = timeline("2026-02-02 09:00")
    clock = sla_clocks(warned, "company", "blocker", t, madrid("2026-02-02 09:00")).response
    assert clock.state == "at_risk"
