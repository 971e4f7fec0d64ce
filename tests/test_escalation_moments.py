"""When time alone takes a ticket to a `breached + N` escalation level: the moment the
worker schedules is checked against the clocks themselves, read one second before and at
that moment (no arithmetic shared with `next_level_at`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from zendesk_sla.core.clocks import sla_clocks
from zendesk_sla.core.escalation import next_level_at, reached
from zendesk_sla.core.policy import EscalationLevel, Target

from tests.reference_clocks import Event
from tests.test_clocks_reference import START, core_timeline, histories, policy


@st.composite
def quiet(draw: st.DrawFn) -> tuple[datetime, list[Event]]:
    """A ticket nobody answers (then put on hold, sometimes): its clocks breach and run on."""
    created = START + timedelta(minutes=draw(st.integers(0, 365 * 24 * 60)))
    later = created + timedelta(minutes=draw(st.integers(60, 6 * 24 * 60)))
    return created, [Event(later, status="hold")] if draw(st.booleans()) else []


@settings(max_examples=600, deadline=None)
@given(
    st.one_of(histories(), quiet(), quiet()),
    st.sampled_from(["standard", "company", "enterprise"]),
    st.sampled_from(["blocker", "critical", "major"]),
    st.sampled_from(
        [0, 60, 240, 600, 1000, 1440, 2000, 2500, 2880, 3300, 3600, 4320, 5000, 5760, 7200, 8640]
    ),
    st.sampled_from([Target(3, "h"), Target(1, "d"), Target(2, "d")]),
)
def test_the_scheduled_moment_is_the_first_second_the_level_holds(
    history: tuple[datetime, list[Event]],
    plan: str,
    severity: str,
    minutes_after: int,
    after: Target,
) -> None:
    created, events = history
    now = created + timedelta(minutes=minutes_after)
    known = core_timeline(created, [e for e in events if e.at <= now])  # nothing happens later
    terms = replace(policy(), escalation=(EscalationLevel("late", "breached", after),))
    calendar = terms.calendars[plan]
    day = calendar.day_length()

    def holds(at: datetime) -> bool:
        clocks = sla_clocks(terms, plan, severity, known, at)
        return bool(reached(terms.escalation, clocks, day, "x_"))

    clocks = sla_clocks(terms, plan, severity, known, now)
    moment = next_level_at(terms.escalation, clocks, calendar, now, known)
    if moment is None or holds(now):  # none to come, or reached already (by another clock)
        return
    assert moment > now
    assert holds(moment)
    assert not holds(moment - timedelta(seconds=1))
