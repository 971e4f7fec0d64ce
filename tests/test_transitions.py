"""The next time-driven change of a clock, checked against the naive reference clocks: just
before it the reference still reads the state of `now`, at it the state has changed."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from zendesk_sla.core.clocks import sla_clocks
from zendesk_sla.core.transitions import clock_transition, next_transition

from tests.helpers import madrid, timeline
from tests.reference_clocks import Event, evaluate
from tests.test_clocks_reference import core_timeline, histories, policy

SECOND = timedelta(seconds=1)


@settings(max_examples=600, deadline=None)
@given(
    histories(),
    st.sampled_from(["plus", "standard", "company", "enterprise"]),
    st.sampled_from(["blocker", "critical", "major", "trivial"]),
    st.integers(0, 20 * 24 * 60),  # the worker never sees a ticket before its creation
)
def test_the_predicted_transition_is_when_the_reference_state_changes(
    history: tuple[datetime, list[Event]], plan: str, severity: str, minutes_after: int
) -> None:
    created, events = history
    now = created + timedelta(minutes=minutes_after)
    known = [e for e in events if e.at <= now]  # what happens later is not known at `now`
    terms = policy()
    clocks = sla_clocks(terms, plan, severity, core_timeline(created, known), now)
    calendar = terms.calendars[plan]
    for kind, clock in (("response", clocks.response), ("resolution", clocks.resolution)):
        moment = clock_transition(calendar, clock, now)
        before = evaluate(plan, severity, kind, created, known, now).state
        if moment is None:
            later = evaluate(plan, severity, kind, created, known, now + timedelta(days=60))
            assert later.state == before or before not in ("running", "at_risk"), kind
            continue
        assert moment > now
        just_before = evaluate(plan, severity, kind, created, known, moment - SECOND).state
        at = evaluate(plan, severity, kind, created, known, moment).state
        assert just_before == before, (kind, moment)
        assert at != before, (kind, moment)


def test_a_company_blocker_at_nine_is_at_risk_at_twelve_and_breached_after_one() -> None:
    terms = policy()
    t = timeline("2026-02-02 09:00")  # response: 4 business hours; at risk at 75 %
    now = madrid("2026-02-02 09:00")
    clocks = sla_clocks(terms, "company", "blocker", t, now)
    calendar = terms.calendars["company"]
    assert clock_transition(calendar, clocks.response, now) == madrid("2026-02-02 12:00")
    later = sla_clocks(terms, "company", "blocker", t, madrid("2026-02-02 12:00"))
    breach = clock_transition(calendar, later.response, madrid("2026-02-02 12:00"))
    assert breach == madrid("2026-02-02 13:00:01")


def test_the_earliest_of_the_clocks_and_the_pending_steps_wins() -> None:
    terms = policy()
    now = madrid("2026-02-02 09:00")
    clocks = sla_clocks(terms, "company", "blocker", timeline("2026-02-02 09:00"), now)
    calendar = terms.calendars["company"]
    soon = madrid("2026-02-02 10:00")
    assert next_transition(calendar, clocks, (soon,), now) == soon
    assert next_transition(calendar, clocks, (None,), now) == madrid("2026-02-02 12:00")
    assert next_transition(None, None, (now - SECOND,), now) is None  # only the future
